// One libFuzzer binary per target: FRONTDOOR_FUZZ_TARGET names the function
// of fuzz_targets.h this binary drives (tests/fuzz/CMakeLists.txt sets it).
#include "tests/fuzz/fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  frontdoor::fuzz::FRONTDOOR_FUZZ_TARGET(data, size);
  return 0;
}
