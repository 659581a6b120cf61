// IDX files for the IDX tests: the bytes of a tiny u8 file, and gzip.
#ifndef RNNC_TESTS_IDX_FILES_H
#define RNNC_TESTS_IDX_FILES_H

#include <cstdint>
#include <string>
#include <vector>

namespace rnnc {

// An IDX file: magic 00 00 <type> <rank>, the sizes big-endian, `data`.
std::string IdxBytes(unsigned char type, const std::vector<uint32_t>& sizes,
                     const std::string& data);
// `bytes` as a gzip file (zlib, level 9).
std::string GzipBytes(const std::string& bytes);
// Writes `bytes` under the test binary's temporary folder; returns the path.
std::string WriteTestFile(const std::string& name, const std::string& bytes);

}  // namespace rnnc

#endif  // RNNC_TESTS_IDX_FILES_H
