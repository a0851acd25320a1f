// A background thread that runs communication tasks in submission order while the compute thread
// keeps computing (data parallelism overlaps gradient buckets with backward this way). The
// communicator contract (one thread drives it at a time) holds because the compute thread only
// touches the communicator again after wait() has returned.
#pragma once

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace neox::model {

class CommWorker {
 public:
  CommWorker();
  ~CommWorker();
  CommWorker(const CommWorker&) = delete;
  CommWorker& operator=(const CommWorker&) = delete;

  // Queues a task. After a task has thrown, later tasks are dropped (the communicator is unusable
  // anyway) until wait() reports the failure.
  void submit(std::function<void()> task);
  // Blocks until every queued task has finished; rethrows the first task's exception, if any.
  void wait();

 private:
  void loop();

  std::mutex mutex_;
  std::condition_variable wake_, idle_;
  std::deque<std::function<void()>> queue_;
  bool busy_ = false, stopping_ = false;
  std::exception_ptr failure_;
  std::thread thread_;
};

}  // namespace neox::model
