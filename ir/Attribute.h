// Op attributes: named compile-time constants such as hidden_size or axis.
#ifndef RNNC_IR_ATTRIBUTE_H
#define RNNC_IR_ATTRIBUTE_H

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace rnnc::ir {

// bool, int, float, string or a list of ints. Strings hold enumerations such
// as direction = "bidirectional".
using Attribute = std::variant<bool, int64_t, double, std::string, std::vector<int64_t>>;

// Ordered by name so that printing is deterministic.
using AttributeMap = std::map<std::string, Attribute>;

// `hidden_size = 128`, `direction = "forward"`, `sizes = [128, 128]`,
// `value = 0.5`, `reverse = true`. Floats always print with a '.' or an
// exponent so that they parse back as floats, and round-trip exactly.
std::string AttributeToString(const Attribute& attribute);

}  // namespace rnnc::ir

#endif  // RNNC_IR_ATTRIBUTE_H
