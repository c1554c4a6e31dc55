// The thread pool: worker threads take chunks from one shared queue (mutex + condition
// variable), as Python's multiprocessing.pool.ThreadPool.
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "pool_kinds.hpp"

namespace parbench::pool_detail {
namespace {

class ThreadPool final : public Pool {
 public:
  explicit ThreadPool(int workers) : Pool(workers) {
    threads_.reserve(static_cast<std::size_t>(workers));
    for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { loop(); });
  }
  ~ThreadPool() override {
    {
      std::lock_guard lock(m_);
      queue_.clear();  // tasks not started are dropped; threads cannot be killed mid-task
      stop_ = true;
    }
    task_cv_.notify_all();
    for (auto& t : threads_) t.join();
  }
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

 private:
  void dispatch(std::deque<Chunk>& queued) override {
    std::size_t handed = 0;
    {
      std::lock_guard lock(m_);
      for (; !queued.empty(); queued.pop_front(), ++handed)
        queue_.push_back(std::move(queued.front()));
    }
    for (std::size_t i = 0; i < handed; ++i) task_cv_.notify_one();
  }

  void collect(std::vector<Outcome>& out, std::deque<Chunk>& /*queued*/) override {
    std::unique_lock lock(m_);
    done_cv_.wait(lock, [this] { return !done_.empty(); });
    for (auto& o : done_) out.push_back(std::move(o));
    done_.clear();
  }

  void loop() {
    std::unique_lock lock(m_);
    for (;;) {
      task_cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping
      Chunk c = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      std::vector<Outcome> results(c.tasks.size());
      for (std::size_t i = 0; i < c.tasks.size(); ++i) {
        results[i].id = c.ids[i];
        results[i].error = run_task(c.tasks[i], results[i].value);
        results[i].ok = results[i].error.empty();
      }
      lock.lock();
      for (auto& r : results) done_.push_back(std::move(r));
      done_cv_.notify_one();
    }
  }

  std::mutex m_;
  std::condition_variable task_cv_, done_cv_;
  std::deque<Chunk> queue_;
  std::vector<Outcome> done_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace

std::unique_ptr<Pool> make_thread_pool(int workers) {
  return std::make_unique<ThreadPool>(workers);
}

}  // namespace parbench::pool_detail
