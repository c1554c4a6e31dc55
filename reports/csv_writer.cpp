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

}  // namespace parbench
