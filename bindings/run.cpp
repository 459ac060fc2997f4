#include "run.h"

#include "args.h"

#include <exception>

namespace verinfer::bindings {
namespace {

class OpWorker : public Napi::AsyncWorker {
 public:
  OpWorker(Napi::Env env, Napi::Value result, const std::vector<Napi::Value>& keep, std::function<void()> work)
      : Napi::AsyncWorker(env, "verinfer:op"), deferred_(Napi::Promise::Deferred::New(env)), work_(std::move(work)) {
    result_ = Napi::Persistent(result);
    for (const auto& v : keep) keep_.push_back(Napi::Persistent(v));
  }
  Napi::Promise promise() { return deferred_.Promise(); }

 protected:
  void Execute() override {
    try {
      work_();
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }
  void OnOK() override { deferred_.Resolve(result_.Value()); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::function<void()> work_;
  Napi::Reference<Napi::Value> result_;
  std::vector<Napi::Reference<Napi::Value>> keep_;
};

}  // namespace

Schedule schedule_for(Napi::Object options, const ArgName& what, double cost_ns) {
  constexpr double kInlineBelowNs = 50'000;  // about the hop's own cost, measured at 45-60 us
  if (opt_bool(options, "sync", false, what)) return Schedule::Sync;
  return cost_ns < kInlineBelowNs ? Schedule::InlinePromise : Schedule::Async;
}

Napi::Value run_op(Napi::Env env, Schedule schedule, Napi::Value result, const std::vector<Napi::Value>& keep,
                   std::function<void()> work) {
  if (schedule == Schedule::Sync) {
    try {
      work();
    } catch (const std::exception& e) {
      throw Napi::Error::New(env, e.what());
    }
    return result;
  }
  if (schedule == Schedule::InlinePromise) {
    auto deferred = Napi::Promise::Deferred::New(env);
    try {
      work();
      deferred.Resolve(result);
    } catch (const std::exception& e) {
      deferred.Reject(Napi::Error::New(env, e.what()).Value());
    }
    return deferred.Promise();
  }
  auto* worker = new OpWorker(env, result, keep, std::move(work));
  Napi::Promise p = worker->promise();
  worker->Queue();
  return p;
}

}  // namespace verinfer::bindings
