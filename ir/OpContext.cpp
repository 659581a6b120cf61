// OpContext: the operand checks and attribute readers every shape rule uses,
// worded the same way for shape inference and the verifier (ShapeRules.h).
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "ir/ShapeRules.h"

namespace rnnc::ir {

namespace {

// In the order of Attribute's alternatives.
constexpr const char* kAttributeTypeNames[] = {"bool", "int", "float", "string", "list of ints"};

template <typename T>
const char* AttributeTypeName() {
  return kAttributeTypeNames[Attribute(std::in_place_type<T>).index()];
}

// "2", "2 or 3", "at least 1"
std::string CountRange(size_t min, size_t max) {
  if (min == max) return absl::StrCat(min);
  if (max == std::numeric_limits<size_t>::max()) return absl::StrCat("at least ", min);
  if (max == min + 1) return absl::StrCat(min, " or ", max);
  return absl::StrCat(min, " to ", max);
}

}  // namespace

OpContext::OpContext(std::string who, std::vector<TensorType> operand_types,
                     AttributeMap attributes, std::vector<std::string> operand_names)
    : who_(std::move(who)),
      operand_types_(std::move(operand_types)),
      attributes_(std::move(attributes)),
      operand_names_(std::move(operand_names)) {}

std::string OpContext::Describe(size_t i) const {
  std::string label = i < operand_names_.size() ? operand_names_[i]
                      : i < roles_.size()       ? roles_[i]
                                                : "";
  return label.empty() ? absl::StrCat("operand ", i) : absl::StrFormat("operand %d (%s)", i, label);
}

absl::Status OpContext::Error(absl::string_view message) const {
  return absl::InvalidArgumentError(absl::StrCat(who_, ": ", message));
}

absl::Status OpContext::ExpectNumOperands(size_t min, size_t max, absl::string_view layout) const {
  if (num_operands() >= min && num_operands() <= max) return absl::OkStatus();
  const bool singular = min == 1 && (max == 1 || max == std::numeric_limits<size_t>::max());
  return Error(absl::StrFormat("expected %s operand%s%s%s, got %d", CountRange(min, max),
                               singular ? "" : "s", layout.empty() ? "" : " ", layout,
                               num_operands()));
}

absl::Status OpContext::ExpectType(size_t i, const TensorType& expected) const {
  if (type(i) == expected) return absl::OkStatus();
  return Error(absl::StrFormat("%s has type %s, expected %s", Describe(i), type(i).ToString(),
                               expected.ToString()));
}

absl::Status OpContext::ExpectRank(size_t i, int64_t rank, absl::string_view layout) const {
  if (type(i).rank() == rank) return absl::OkStatus();
  return Error(absl::StrFormat("%s has type %s, expected rank %d %s", Describe(i),
                               type(i).ToString(), rank, layout));
}

absl::Status OpContext::ExpectMinRank(size_t i, int64_t min_rank) const {
  if (type(i).rank() >= min_rank) return absl::OkStatus();
  return Error(absl::StrFormat("%s has type %s, expected rank >= %d", Describe(i),
                               type(i).ToString(), min_rank));
}

absl::Status OpContext::ExpectSameDim(size_t i, int64_t dim, size_t j, int64_t other_dim) const {
  if (DimAt(type(i), dim) == DimAt(type(j), other_dim)) return absl::OkStatus();
  return Error(absl::StrFormat("%s has type %s; its dim %d must equal dim %d of %s, %s",
                               Describe(i), type(i).ToString(), dim, other_dim, Describe(j),
                               type(j).ToString()));
}

const Attribute* OpContext::Find(const std::string& name) {
  read_.insert(name);
  auto it = attributes_.find(name);
  return it == attributes_.end() ? nullptr : &it->second;
}

template <typename T>
absl::StatusOr<T> OpContext::Read(const std::string& name, std::optional<T> fallback) {
  const Attribute* attribute = Find(name);
  if (attribute == nullptr) {
    if (fallback.has_value()) return *std::move(fallback);
    return Error(absl::StrFormat("missing attribute '%s' (%s)", name, AttributeTypeName<T>()));
  }
  if (const T* value = std::get_if<T>(attribute)) return *value;
  return Error(absl::StrFormat("attribute %s = %s has type %s, expected %s", name,
                               AttributeToString(*attribute),
                               kAttributeTypeNames[attribute->index()], AttributeTypeName<T>()));
}

absl::StatusOr<int64_t> OpContext::Int(const std::string& name, std::optional<int64_t> fallback) {
  return Read<int64_t>(name, fallback);
}

absl::StatusOr<int64_t> OpContext::IntInRange(const std::string& name, int64_t min, int64_t max) {
  RNNC_ASSIGN_OR_RETURN(int64_t value, Int(name));
  if (value >= min && value <= max) return value;
  return Error(absl::StrFormat("attribute %s = %d, expected %d to %d", name, value, min, max));
}

absl::StatusOr<bool> OpContext::Bool(const std::string& name, bool fallback) {
  return Read<bool>(name, fallback);
}

absl::StatusOr<double> OpContext::Float(const std::string& name, std::optional<double> fallback) {
  const Attribute* attribute = Find(name);
  if (attribute != nullptr && std::holds_alternative<int64_t>(*attribute)) {
    return static_cast<double>(std::get<int64_t>(*attribute));
  }
  return Read<double>(name, fallback);
}

absl::StatusOr<std::vector<int64_t>> OpContext::Ints(const std::string& name) {
  return Read<std::vector<int64_t>>(name, std::nullopt);
}

absl::StatusOr<std::string> OpContext::Enum(const std::string& name,
                                            const std::vector<std::string>& allowed,
                                            std::optional<std::string> fallback) {
  RNNC_ASSIGN_OR_RETURN(std::string value, Read<std::string>(name, std::move(fallback)));
  if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return value;
  std::vector<std::string> quoted;
  for (const std::string& a : allowed) quoted.push_back(absl::StrCat("\"", a, "\""));
  std::string choices = absl::StrJoin(quoted.begin(), quoted.end() - 1, ", ");
  if (quoted.size() > 1) absl::StrAppend(&choices, " or ");
  absl::StrAppend(&choices, quoted.back());
  return Error(absl::StrFormat("attribute %s = \"%s\", expected %s", name, value, choices));
}

absl::StatusOr<int64_t> OpContext::Axis(const std::string& name) {
  RNNC_ASSIGN_OR_RETURN(int64_t axis, Int(name));
  const int64_t rank = type(0).rank();
  if (axis >= -rank && axis < rank) return axis < 0 ? axis + rank : axis;
  return Error(absl::StrFormat("attribute %s = %d is out of range for %s, %s: expected %d to %d",
                               name, axis, Describe(0), type(0).ToString(), -rank, rank - 1));
}

absl::Status OpContext::ExpectNoOtherAttributes() const {
  for (const auto& [name, value] : attributes_) {
    if (read_.count(name) > 0) continue;
    return Error(absl::StrFormat("unknown attribute '%s' (%s)", name,
                                 read_.empty()
                                     ? "this op takes none"
                                     : absl::StrCat("expected: ", absl::StrJoin(read_, ", "))));
  }
  return absl::OkStatus();
}

}  // namespace rnnc::ir
