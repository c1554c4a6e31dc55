#include "csv_writer.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>

namespace parbench {

namespace {

// The whole buffer, or the errno of the write that failed (0 when none did).
int write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (n == 0) return ENOSPC;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return 0;
}

}  // namespace

CsvWriter::CsvWriter(const std::string& path)
    : path_(path), fd_(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) {
  if (fd_ < 0) throw ReportWriteError(errno, "open " + path);
}

CsvWriter::~CsvWriter() {
  if (fd_ >= 0) ::close(fd_);
}

void CsvWriter::write_row(const std::vector<std::string>& fields) {
  if (fd_ < 0) throw ReportWriteError(EBADF, "write " + path_ + " (closed)");
  const std::string line = csv_line(fields);
  if (const int err = write_all(fd_, line); err != 0) {
    // Cut the half-written line off (ftruncate frees space, so it works on a full disk) and go on
    // appending at the end of the last whole line.
    if (::ftruncate(fd_, size_) == 0) ::lseek(fd_, size_, SEEK_SET);
    throw ReportWriteError(err, "write " + path_);
  }
  size_ += static_cast<std::int64_t>(line.size());
}

void CsvWriter::close() {
  if (fd_ >= 0 && ::close(fd_) != 0) {
    fd_ = -1;
    throw ReportWriteError(errno, "close " + path_);
  }
  fd_ = -1;
}

std::string csv_escape(std::string_view field) {
  std::string clean(field);
  for (char& c : clean) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  const bool quote = clean.find_first_of(",\"") != std::string::npos ||
                     (!clean.empty() && (clean.front() == ' ' || clean.back() == ' ' ||
                                         clean.front() == '\t' || clean.back() == '\t'));
  if (!quote) return clean;
  std::string out = "\"";
  for (char c : clean) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string csv_line(const std::vector<std::string>& fields) {
  std::string line;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i != 0) line += ',';
    line += csv_escape(fields[i]);
  }
  line += '\n';
  return line;
}

std::string format_number(double v) {
  if (std::isnan(v)) return "";
  if (std::nearbyint(v) == v && std::fabs(v) < 9.0e15)
    return fmt::format("{}", static_cast<long long>(v));
  return fmt::format("{}", v);
}

std::string format_optional(const std::optional<std::int64_t>& v) {
  return v ? std::to_string(*v) : "";
}

std::string format_optional(const std::optional<double>& v) { return v ? format_number(*v) : ""; }

void write_file_atomically(const std::string& path, std::string_view content) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw ReportWriteError(errno, "open " + tmp);
  int err = write_all(fd, content);
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err != 0) {
    ::unlink(tmp.c_str());
    throw ReportWriteError(err, "write " + path);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    err = errno;
    ::unlink(tmp.c_str());
    throw ReportWriteError(err, "rename " + tmp + " to " + path);
  }
}

void overwrite_in_place(const std::string& path, std::string_view content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) throw ReportWriteError(errno, "open " + path);
  struct stat st {};
  int err = ::fstat(fd, &st) == 0 ? 0 : errno;
  if (err == 0 && static_cast<std::size_t>(st.st_size) < content.size()) err = ENOSPC;
  if (err == 0) {
    std::string padded(content);
    padded.resize(static_cast<std::size_t>(st.st_size), ' ');
    const ssize_t n = ::pwrite(fd, padded.data(), padded.size(), 0);
    if (n != static_cast<ssize_t>(padded.size())) err = n < 0 ? errno : EIO;
  }
  ::close(fd);
  if (err != 0) throw ReportWriteError(err, "overwrite " + path);
}

}  // namespace parbench
