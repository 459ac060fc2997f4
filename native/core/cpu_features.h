#pragma once

namespace verinfer {

struct CpuFeatures {
  bool avx2_fma = false;   // AVX2 + FMA + F16C with YMM state enabled by the OS
  bool avx512 = false;     // AVX-512 F/BW/VL/DQ with ZMM and opmask state enabled by the OS
  bool avx512_vnni = false;
  bool avx512_bf16 = false;
};

CpuFeatures detect_cpu_features();

}  // namespace verinfer
