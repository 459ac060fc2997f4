#include "core/thread_pool.h"

#include <xmmintrin.h>

#include <algorithm>
#include <cstdlib>

namespace verinfer {
namespace {

// Round to nearest even, no flush-to-zero, no denormals-are-zero, all exceptions masked.
constexpr unsigned kDefaultMxcsr = 0x1f80;

class ScopedDefaultMxcsr {
 public:
  ScopedDefaultMxcsr() : saved_(_mm_getcsr()) { _mm_setcsr(kDefaultMxcsr); }
  ~ScopedDefaultMxcsr() { _mm_setcsr(saved_); }

 private:
  unsigned saved_;
};

int default_threads() {
  const char* env = std::getenv("VERINFER_THREADS");
  if (env && *env) {
    const int n = std::atoi(env);
    if (n >= 1 && n <= 1024) return n;
  }
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

}  // namespace

ThreadPool& ThreadPool::instance() {
  static ThreadPool pool;
  return pool;
}

ThreadPool::ThreadPool() { start_workers(default_threads() - 1); }

ThreadPool::~ThreadPool() { stop_workers(); }

void ThreadPool::start_workers(int workers) {
  stopping_ = false;
  for (int i = 0; i < workers; ++i) workers_.emplace_back([this] { worker_loop(); });
}

void ThreadPool::stop_workers() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
  workers_.clear();
}

void ThreadPool::set_threads(int threads) {
  std::lock_guard<std::mutex> job(job_mutex_);
  stop_workers();
  start_workers(std::max(threads, 1) - 1);
}

int ThreadPool::threads() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return static_cast<int>(workers_.size()) + 1;
}

// About 50 µs of pause instructions: longer than a futex wake-up, shorter than anything worth sleeping for.
constexpr int kSpins = 4000;

void ThreadPool::drain(const std::function<void(size_t)>& task) {
  for (;;) {
    size_t i;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (next_ >= count_) return;
      i = next_++;
    }
    try {
      task(i);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!error_) error_ = std::current_exception();
    }
    std::lock_guard<std::mutex> lock(mutex_);
    finished_spin_.store(++finished_, std::memory_order_release);
    if (finished_ == count_) done_.notify_all();
  }
}

void ThreadPool::worker_loop() {
  _mm_setcsr(kDefaultMxcsr);
  uint64_t seen = 0;
  for (;;) {
    const std::function<void(size_t)>* task;
    for (int spin = 0; spin < kSpins && published_.load(std::memory_order_acquire) == seen; ++spin) _mm_pause();
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_) return;
      seen = generation_;
      task = task_;
      if (task == nullptr) continue;  // woke after the job it was told about had already finished
      ++active_;
    }
    drain(*task);
    std::lock_guard<std::mutex> lock(mutex_);
    if (--active_ == 0) done_.notify_all();
  }
}

void ThreadPool::run(size_t count, const std::function<void(size_t)>& task) {
  if (count == 0) return;
  ScopedDefaultMxcsr mxcsr;
  std::lock_guard<std::mutex> job(job_mutex_);
  if (count == 1 || workers_.empty()) {
    for (size_t i = 0; i < count; ++i) task(i);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    task_ = &task;
    count_ = count;
    next_ = 0;
    finished_ = 0;
    error_ = nullptr;
    ++generation_;
    finished_spin_.store(0, std::memory_order_relaxed);
    published_.store(generation_, std::memory_order_release);
  }
  wake_.notify_all();
  drain(task);
  for (int spin = 0; spin < kSpins && finished_spin_.load(std::memory_order_acquire) < count; ++spin) _mm_pause();
  std::unique_lock<std::mutex> lock(mutex_);
  // Wait until every task finished and no worker still holds a pointer to this job.
  done_.wait(lock, [&] { return finished_ == count_ && active_ == 0; });
  task_ = nullptr;
  if (error_) std::rethrow_exception(error_);
}

void parallel_for(size_t n, size_t grain, const std::function<void(size_t, size_t)>& body) {
  if (n == 0) return;
  ThreadPool& pool = ThreadPool::instance();
  grain = std::max<size_t>(grain, 1);
  const size_t max_chunks = static_cast<size_t>(pool.threads()) * 4;
  const size_t chunks = std::max<size_t>(1, std::min((n + grain - 1) / grain, max_chunks));
  const size_t step = (n + chunks - 1) / chunks;
  pool.run((n + step - 1) / step, [&](size_t c) { body(c * step, std::min(n, (c + 1) * step)); });
}

}  // namespace verinfer
