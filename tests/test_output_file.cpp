// Writing a whole file where the user pointed (output_file.hpp): a regular file is replaced, what
// is not one is written into and stays what it was, a link keeps being a link, and writers of one
// path at once all succeed.
#include <fcntl.h>
#include <fmt/core.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "bad_input.hpp"
#include "output_file.hpp"
#include "support.hpp"

using namespace parbench;
namespace fs = std::filesystem;

namespace {

mode_t type_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st.st_mode & S_IFMT;
}

// No PATH.XXXXXX.tmp left beside the files of `dir`.
bool no_temporary_files(const std::string& dir) {
  return std::ranges::none_of(fs::directory_iterator(dir), [](const fs::directory_entry& e) {
    return e.path().filename().string().ends_with(".tmp");
  });
}

}  // namespace

TEST_CASE("a regular file is replaced whole, and a link's target gets it while the link stays",
          "[output]") {
  test::TempDir dir;
  const std::string file = dir.path() + "/report.json";
  write_file_atomically(file, "first\n");
  write_file_atomically(file, "second\n");
  REQUIRE(test::slurp(file) == "second\n");
  REQUIRE(type_of(file) == S_IFREG);

  const std::string link = dir.path() + "/latest.json";
  fs::create_symlink("report.json", link);  // relative, as `ln -s` makes them
  write_file_atomically(link, "through the link\n");
  REQUIRE(type_of(link) == S_IFLNK);
  REQUIRE(test::slurp(file) == "through the link\n");

  const std::string dangling = dir.path() + "/dangling.json";
  fs::create_symlink(dir.path() + "/made.json", dangling);
  write_file_atomically(dangling, "made\n");
  REQUIRE(type_of(dangling) == S_IFLNK);
  REQUIRE(test::slurp(dir.path() + "/made.json") == "made\n");
  REQUIRE(no_temporary_files(dir.path()));
}

TEST_CASE("a character device or a FIFO is written into, never replaced", "[output]") {
  test::TempDir dir;
  // A null device of our own, so that a failure cannot turn the machine's /dev/null into a file.
  const std::string null_dev = dir.path() + "/null";
  if (::mknod(null_dev.c_str(), S_IFCHR | 0666, makedev(1, 3)) != 0)
    PARBENCH_SKIP("cannot make a device node here (needs root)");
  write_file_atomically(null_dev, "into the device\n");
  REQUIRE(type_of(null_dev) == S_IFCHR);
  // A full device: the write fails as a write error (exit 3), and the device stays one.
  const std::string full_dev = dir.path() + "/full";
  REQUIRE(::mknod(full_dev.c_str(), S_IFCHR | 0666, makedev(1, 7)) == 0);
  REQUIRE_THROWS_AS(write_file_atomically(full_dev, "no room\n"), ReportWriteError);
  REQUIRE(type_of(full_dev) == S_IFCHR);

  const std::string fifo = dir.path() + "/fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  // Nobody reads it: an error at once, not a hang.
  REQUIRE_THROWS_AS(write_file_atomically(fifo, "nobody\n"), ReportWriteError);
  std::string got;
  std::thread reader([&] { got = test::slurp(fifo); });
  // The reader opens the FIFO in its own time: write once it has.
  for (int i = 0; i < 500; ++i) {
    try {
      write_file_atomically(fifo, "through the fifo\n");
      break;
    } catch (const ReportWriteError&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  reader.join();
  REQUIRE(got == "through the fifo\n");
  REQUIRE(type_of(fifo) == S_IFIFO);
  REQUIRE(no_temporary_files(dir.path()));
}

TEST_CASE("/dev/fd/N writes to this process's descriptor", "[output]") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  write_file_atomically(fmt::format("/dev/fd/{}", fds[1]), "down the pipe\n");
  ::close(fds[1]);
  std::string got(64, '\0');
  const ssize_t n = ::read(fds[0], got.data(), got.size());
  ::close(fds[0]);
  REQUIRE(n > 0);
  got.resize(static_cast<std::size_t>(n));
  REQUIRE(got == "down the pipe\n");
}

TEST_CASE("a directory, a socket path or an empty name is bad input, checked before writing",
          "[output]") {
  test::TempDir dir;
  REQUIRE_THROWS_AS(check_output_file(dir.path(), "--out"), BadInput);
  REQUIRE_THROWS_AS(check_output_file(dir.path() + "/new/", "--out"), BadInput);
  REQUIRE_THROWS_AS(check_output_file("", "--out"), BadInput);
  REQUIRE_THROWS_WITH(write_file_atomically(dir.path(), "x"), Catch::Contains("a directory"));
  REQUIRE_NOTHROW(check_output_file(dir.path() + "/new.json", "--out"));
  REQUIRE_FALSE(fs::exists(dir.path() + "/new.json"));
}

TEST_CASE("writers of one path at once all succeed and the file is one of theirs, whole",
          "[output]") {
  test::TempDir dir;
  const std::string file = dir.path() + "/shared.json";
  std::vector<std::thread> writers;
  std::atomic<int> failures{0};
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      const std::string text(4096, static_cast<char>('a' + w));
      for (int i = 0; i < 25; ++i) {
        try {
          write_file_atomically(file, text);
        } catch (const std::exception&) {
          ++failures;
        }
      }
    });
  }
  for (auto& t : writers) t.join();
  REQUIRE(failures == 0);
  const std::string text = test::slurp(file);
  REQUIRE(text.size() == 4096);
  REQUIRE(text == std::string(4096, text.front()));
  REQUIRE(no_temporary_files(dir.path()));
}

TEST_CASE("export -o a device keeps the device, and -o a directory is exit 2", "[output][cli]") {
  test::TempDir dir;
  const std::string& d = dir.path();
  test::write_small_report(d + "/r");
  const std::string full_dev = d + "/full";
  if (::mknod(full_dev.c_str(), S_IFCHR | 0666, makedev(1, 7)) != 0)
    PARBENCH_SKIP("cannot make a device node here (needs root)");
  const auto full = test::run_parbench({"export", d + "/r", "-o", full_dev});
  REQUIRE(full.status == 3);
  REQUIRE(type_of(full_dev) == S_IFCHR);
  const auto into_dir = test::run_parbench({"export", d + "/r", "-o", d});
  REQUIRE(into_dir.status == 2);
  REQUIRE_THAT(into_dir.err, Catch::Contains("is a directory"));
}
