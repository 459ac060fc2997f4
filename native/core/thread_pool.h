// A persistent pool. One parallel job runs at a time; the calling thread takes part in it. Tasks are
// handed out dynamically, which is safe for determinism because every task writes outputs that it
// computes entirely by itself (threads split rows or tiles, never a reduction).
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace verinfer {

class ThreadPool {
 public:
  static ThreadPool& instance();

  // Runs task(i) for i in [0, count) across the pool; returns when all are done. The first
  // exception thrown by a task is rethrown here after the others finish.
  void run(size_t count, const std::function<void(size_t)>& task);
  void set_threads(int threads);  // total threads including the caller; >= 1
  int threads() const;

  ~ThreadPool();

 private:
  ThreadPool();
  void start_workers(int workers);
  void stop_workers();
  void worker_loop();
  void drain(const std::function<void(size_t)>& task);

  std::mutex job_mutex_;  // serialises jobs from concurrent callers
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  std::vector<std::thread> workers_;
  const std::function<void(size_t)>* task_ = nullptr;
  size_t count_ = 0;
  size_t next_ = 0;
  size_t finished_ = 0;
  size_t active_ = 0;
  uint64_t generation_ = 0;
  // generation_ and finished_ mirrored for lock-free spinning: a worker that just finished a job (and
  // the caller waiting for one) spins briefly before sleeping, because jobs come in bursts (one per
  // plan step) and a futex wake-up costs more than a small step takes.
  std::atomic<uint64_t> published_{0};
  std::atomic<size_t> finished_spin_{0};
  bool stopping_ = false;
  std::exception_ptr error_;
};

// Splits [0, n) into contiguous chunks of at least `grain` items and runs them on the pool.
void parallel_for(size_t n, size_t grain, const std::function<void(size_t begin, size_t end)>& body);

}  // namespace verinfer
