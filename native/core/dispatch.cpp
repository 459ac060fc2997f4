#include "core/dispatch.h"

#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "core/cpu_features.h"

namespace verinfer {
namespace {

struct Selection {
  KernelTable table;
  Isa isa;
  bool vnni;
};

Isa parse_isa_override(const char* name, const CpuFeatures& f) {
  if (std::strcmp(name, "scalar") == 0) return Isa::Scalar;
  if (std::strcmp(name, "avx2") == 0) {
    if (!f.avx2_fma) throw std::runtime_error("VERINFER_ISA=avx2 but this CPU/OS lacks AVX2+FMA");
    return Isa::Avx2;
  }
  if (std::strcmp(name, "avx512") == 0) {
    if (!f.avx512) throw std::runtime_error("VERINFER_ISA=avx512 but this CPU/OS lacks AVX-512 F/BW/VL/DQ");
    return Isa::Avx512;
  }
  throw std::runtime_error(std::string("VERINFER_ISA must be scalar, avx2 or avx512; got '") + name + "'");
}

Selection select_kernels() {
  const CpuFeatures f = detect_cpu_features();
  const char* forced = std::getenv("VERINFER_ISA");
  Isa isa = Isa::Scalar;
  if (forced && *forced) {
    isa = parse_isa_override(forced, f);
  } else if (f.avx512) {
    isa = Isa::Avx512;
  } else if (f.avx2_fma) {
    isa = Isa::Avx2;
  }
  Selection s{};
  s.isa = isa;
  switch (isa) {
    case Isa::Scalar: fill_kernels_scalar(&s.table); break;
    case Isa::Avx2: fill_kernels_avx2(&s.table); break;
    case Isa::Avx512:
      fill_kernels_avx512(&s.table);
      if (f.avx512_vnni) {
        fill_kernels_avx512_vnni(&s.table);
        s.vnni = true;
      }
      break;
  }
  return s;
}

const Selection& selection() {
  static const Selection s = select_kernels();
  return s;
}

}  // namespace

const KernelTable& kernels() { return selection().table; }
Isa active_isa() { return selection().isa; }
bool has_vnni() { return selection().vnni; }

std::string isa_name(Isa isa) {
  switch (isa) {
    case Isa::Scalar: return "scalar";
    case Isa::Avx2: return "avx2";
    case Isa::Avx512: return "avx512";
  }
  return "unknown";
}

}  // namespace verinfer
