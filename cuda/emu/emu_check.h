// emu_check.h: what the emulation tests share: the check counters, NaN fill, a seeded generator and the
// tolerance comparison (emu_test.cpp, layer_kernels_test.cpp).
#pragma once

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

namespace emucheck {

inline const float kNaN = std::numeric_limits<float>::quiet_NaN();
inline const double kEps = FLT_EPSILON;  // 2^-23 = 2u, u the unit roundoff of float

inline long checks = 0, failures = 0;

inline void fail(const std::string& what) {
    ++failures;
    if (failures <= 20) std::printf("FAIL %s\n", what.c_str());
}

// Deterministic uniform floats in [lo, hi) (xorshift64*).
struct Rng {
    uint64_t s;
    explicit Rng(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 1) {}
    float next(float lo, float hi) {
        s ^= s >> 12, s ^= s << 25, s ^= s >> 27;
        const uint64_t r = s * 0x2545F4914F6CDD1Dull;
        return lo + (hi - lo) * (float)((r >> 40) * (1.0 / 16777216.0));
    }
};

inline bool sameBits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

inline void expectClose(const std::string& what, int idx, float got, double ref, double tol) {
    ++checks;
    if (!(std::fabs(got - ref) <= tol)) {
        char buf[200];
        std::snprintf(buf, sizeof buf, "%s[%d] = %.9g, expected %.9g (tolerance %.3g)", what.c_str(), idx, got, ref, tol);
        fail(buf);
    }
}

inline std::vector<float> randomVector(int n, float lo, float hi, Rng& rng) {
    std::vector<float> v(n);
    for (float& x : v) x = rng.next(lo, hi);
    return v;
}

}  // namespace emucheck
