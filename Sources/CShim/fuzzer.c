#include "CShim.h"

// libFuzzer's driver, present only in a `make fuzz` build (which links
// libclang_rt.fuzzer_no_main and forces this symbol in); a weak reference is NULL otherwise.
extern int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size))
    __attribute__((weak));

int cshim_fuzzer_linked(void) { return LLVMFuzzerRunDriver != NULL; }

int cshim_fuzzer_run(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size)) {
    return LLVMFuzzerRunDriver(argc, argv, callback);
}
