#pragma once
// What a backend's workers share and where they run, as data: workloads, locks, channels, the
// runner and the reports ask these instead of comparing backend names.
namespace parbench {

struct BackendTraits {
  // The workers are threads of one process: in-process objects (std::mutex, std::barrier, an
  // in-process queue) work between them, and process-owned ones (fcntl record locks) do not
  // exclude them from each other.
  bool shares_address_space = false;
  // The workers may be on different machines and share no memory: only what
  // Experiment::worker_output() carries, and the mpi channel, link them.
  bool crosses_hosts = false;
  // The workers run the workload's Python version (the reference), not the C++ one.
  bool runs_python = false;
  // One worker computes at a time by design (an interpreter lock): a low on-CPU share is what is
  // measured, not noise.
  bool serializes_computation = false;
};

}  // namespace parbench
