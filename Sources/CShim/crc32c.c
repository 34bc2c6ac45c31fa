// CRC-32C with the CPU's own instruction (SSE 4.2 `crc32` on x86-64, the CRC extension on
// AArch64). Swift cannot name these instructions, so they live here; FileIO's CRC32C uses
// them when cshim_crc32c_hardware_available() says the CPU has them, its tables otherwise.
#include "CShim.h"

#if defined(__x86_64__)
#include <nmmintrin.h>

int cshim_crc32c_hardware_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2");
}

__attribute__((target("sse4.2")))
uint32_t cshim_crc32c_hardware(uint32_t crc, const void *data, size_t count) {
    const unsigned char *p = data;
    uint64_t c = ~crc;
    while (count >= 8) {
        uint64_t word;
        __builtin_memcpy(&word, p, 8);
        c = _mm_crc32_u64(c, word);
        p += 8;
        count -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    while (count > 0) {
        c32 = _mm_crc32_u8(c32, *p);
        p++;
        count--;
    }
    return ~c32;
}

#elif defined(__aarch64__) && defined(__ARM_FEATURE_CRC32)
#include <arm_acle.h>

int cshim_crc32c_hardware_available(void) { return 1; }

uint32_t cshim_crc32c_hardware(uint32_t crc, const void *data, size_t count) {
    const unsigned char *p = data;
    uint32_t c = ~crc;
    while (count >= 8) {
        uint64_t word;
        __builtin_memcpy(&word, p, 8);
        c = __crc32cd(c, word);
        p += 8;
        count -= 8;
    }
    while (count > 0) {
        c = __crc32cb(c, *p);
        p++;
        count--;
    }
    return ~c;
}

#else

int cshim_crc32c_hardware_available(void) { return 0; }

uint32_t cshim_crc32c_hardware(uint32_t crc, const void *data, size_t count) {
    (void)data;
    (void)count;
    return crc;
}

#endif
