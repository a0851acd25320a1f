// One dedicated thread per engine on which every native computation runs. libuv's pool threads
// only wait on it. Keeping one calling thread matters: OpenMP keeps one thread team per calling
// thread, so calls from several pool threads would create several teams and oversubscribe.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

namespace neox::binding {

class ComputeThread {
 public:
  ComputeThread();
  ~ComputeThread();
  ComputeThread(const ComputeThread&) = delete;
  ComputeThread& operator=(const ComputeThread&) = delete;

  // Runs task on the compute thread, in submission order; the future rethrows its exception.
  std::future<void> submit(std::function<void()> task);

 private:
  void loop();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::packaged_task<void()>> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace neox::binding
