#include "csv_writer.hpp"

#include <fmt/core.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>

#include "sys_error.hpp"

namespace parbench {

CsvWriter::CsvWriter(const std::string& path) : path_(path), file_(std::fopen(path.c_str(), "w")) {
  if (file_ == nullptr) throw_sys("open " + path);
}

CsvWriter::~CsvWriter() {
  if (file_ != nullptr) std::fclose(file_);
}

void CsvWriter::write_row(const std::vector<std::string>& fields) {
  const std::string line = csv_line(fields);
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fflush(file_) != 0) {
    throw_sys("write " + path_);
  }
}

void CsvWriter::close() {
  if (file_ != nullptr && std::fclose(file_) != 0) {
    file_ = nullptr;
    throw_sys("close " + path_);
  }
  file_ = nullptr;
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

void write_file_atomically(const std::string& path, std::string_view content) {
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "w");
  if (f == nullptr) throw_sys("open " + tmp);
  const bool ok = std::fwrite(content.data(), 1, content.size(), f) == content.size();
  if (std::fclose(f) != 0 || !ok) {
    std::remove(tmp.c_str());
    throw_sys("write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    std::remove(tmp.c_str());
    throw_sys("rename " + tmp + " to " + path, err);
  }
}

}  // namespace parbench
