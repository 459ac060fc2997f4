// Times the fp32 GEMM driver from C++ alone: a quick probe while tuning blocking, no Node involved.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "core/dispatch.h"
#include "core/thread_pool.h"
#include "ops/gemm.h"

int main(int argc, char** argv) {
  const int64_t m = argc > 1 ? std::atoll(argv[1]) : 2048;
  const int64_t k = argc > 2 ? std::atoll(argv[2]) : m;
  const int64_t n = argc > 3 ? std::atoll(argv[3]) : m;
  const int threads = argc > 4 ? std::atoi(argv[4]) : 2;
  verinfer::ThreadPool::instance().set_threads(threads);
  std::vector<float> a(m * k), b(k * n), y(m * n);
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>((i * 7919) % 1000) / 1000.0f - 0.5f;
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<float>((i * 104729) % 1000) / 1000.0f - 0.5f;
  verinfer::PackedB pb = verinfer::pack_b(b.data(), k, n, n, false);
  verinfer::SgemmBatch g;
  g.m = m; g.n = n; g.k = k; g.lda = k; g.ldy = n;
  g.a = {a.data()}; g.b = {&pb}; g.y = {y.data()};
  double best = 1e30, spent = 0;
  for (int rep = 0; rep < 7 || spent < 0.5; ++rep) {
    auto t0 = std::chrono::steady_clock::now();
    verinfer::sgemm(g);
    auto t1 = std::chrono::steady_clock::now();
    const double seconds = std::chrono::duration<double>(t1 - t0).count();
    best = std::min(best, seconds);
    spent += seconds;
  }
  std::printf("%s m=%lld k=%lld n=%lld threads=%d: %.1f GFLOP/s (%.3f ms)\n", verinfer::kernels().isa, (long long)m,
              (long long)k, (long long)n, threads, 2.0 * m * n * k / best * 1e-9, best * 1e3);
}
