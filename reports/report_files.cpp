#include "report_files.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "bad_input.hpp"
#include "csv_writer.hpp"

namespace parbench {

std::string report_prefix(std::string path) {
  if (path.ends_with(".csv")) path.resize(path.size() - 4);
  return path;
}

void check_output_prefix(const std::string& prefix, std::string_view option) {
  namespace fs = std::filesystem;
  const std::string example =
      "e.g. reports/results/run1, which writes run1.csv, run1.meta.json, ...";
  if (prefix.empty())
    throw BadInput(fmt::format("{}: empty; expected a prefix, {}", option, example));
  std::error_code ec;
  if (prefix.back() == '/' || fs::is_directory(prefix, ec) || fs::path(prefix).filename() == "." ||
      fs::path(prefix).filename() == "..") {
    throw BadInput(fmt::format("{}: '{}' is a directory; expected a file prefix inside it, {}",
                               option, prefix, example));
  }
  if (!valid_utf8(prefix)) {
    throw BadInput(fmt::format("{}: the path is not valid UTF-8; expected a UTF-8 path", option));
  }
  for (const char* suffix : {".csv", ".summary.csv", ".meta.json"})
    check_output_file(prefix + suffix, option);
}

void prepare_output_prefix(const std::string& prefix, std::string_view option) {
  namespace fs = std::filesystem;
  check_output_prefix(prefix, option);
  std::error_code ec;
  const fs::path parent = fs::path(prefix).parent_path();
  if (parent.empty()) return;
  fs::create_directories(parent, ec);
  if (ec) {
    throw ReportWriteError(
        ec.value(), fmt::format("{}: cannot create directory '{}'", option, parent.string()));
  }
}

void prepare_output_dir(const std::string& dir, std::string_view option) {
  if (dir.empty()) throw BadInput(fmt::format("{}: empty; expected a directory", option));
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    throw ReportWriteError(ec.value(),
                           fmt::format("{}: cannot create directory '{}'", option, dir));
  }
}

std::string json_text(const nlohmann::json& j) {
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

bool valid_utf8(std::string_view text) {
  try {
    (void)nlohmann::json(std::string(text)).dump();
    return true;
  } catch (const nlohmann::json::type_error&) {
    return false;
  }
}

std::string valid_utf8_or_replaced(std::string_view text) {
  if (valid_utf8(text)) return std::string(text);
  std::string out;
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  for (std::size_t i = 0; i < text.size();) {
    const unsigned char c = byte(i);
    // The sequence's length from its lead byte, and the range its second byte must fall in
    // (which rules out overlong forms, surrogates and code points past U+10FFFF).
    std::size_t n = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c < 0x80) {
      n = 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
      n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    }
    bool ok = n > 0 && i + n <= text.size();
    for (std::size_t k = 1; ok && k < n; ++k) {
      const unsigned char b = byte(i + k);
      ok = k == 1 ? (b >= lo && b <= hi) : (b >= 0x80 && b <= 0xBF);
    }
    if (ok) {
      out.append(text.substr(i, n));
      i += n;
    } else {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
    }
  }
  return out;
}

nlohmann::json read_report_meta(const std::string& prefix, std::string_view command) {
  const std::string path = prefix + ".meta.json";
  if (!std::filesystem::exists(path)) return nlohmann::json::object();
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json meta;
  try {
    meta = nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::parse_error& e) {
    throw BadInput(fmt::format("{}: {} is not valid JSON: {}", command, path, e.what()));
  }
  check_meta_shape(meta, path, command);
  return meta;
}

namespace {

bool is_string_array(const nlohmann::json& j) {
  return j.is_array() &&
         std::all_of(j.begin(), j.end(), [](const nlohmann::json& e) { return e.is_string(); });
}

using json = nlohmann::json;
// What a field must be, and how the message says it.
struct Kind {
  bool (*ok)(const json&);
  const char* expected;
};
constexpr Kind kString{[](const json& j) { return j.is_string(); }, "a string"};
constexpr Kind kInteger{[](const json& j) { return j.is_number_integer(); }, "an integer"};
constexpr Kind kNumber{[](const json& j) { return j.is_number(); }, "a number"};
constexpr Kind kBool{[](const json& j) { return j.is_boolean(); }, "true or false"};
constexpr Kind kArray{[](const json& j) { return j.is_array(); }, "an array"};
constexpr Kind kNames{is_string_array, "an array of names"};
constexpr Kind kObject{[](const json& j) { return j.is_object(); }, "an object"};
constexpr Kind kObjectOrNull{[](const json& j) { return j.is_object() || j.is_null(); },
                             "an object"};
struct Field {
  const char* pointer;
  Kind kind;
};
const Field kFields[] = {
    {"/machine", kObjectOrNull},
    {"/machine/hostname", kString},
    {"/machines", kArray},
    {"/run", kObjectOrNull},
    {"/run/command", kString},
    {"/run/targets", kNames},
    {"/run/reps", kInteger},
    {"/run/warmup", kInteger},
    {"/run/timeout_s", kNumber},
    {"/run/cases", kInteger},
    {"/run/started_at", kString},
    {"/run/finished_at", kString},
    {"/run/interrupted_by_signal", kInteger},
    {"/run/ended_by", kString},
    {"/run/complete", kBool},
    {"/run/noise_rule", kObject},
    {"/run/noise_rule/max_steal_pct", kNumber},
    {"/run/noise_rule/max_other_load_pct", kNumber},
    {"/run/noise_rule/min_on_cpu", kNumber},
    {"/run/noise_rule/cpus", kInteger},
    {"/run/noise_rule/cpu_bound", kNames},
    {"/run/noise_rule/serialized_backends", kNames},
    {"/schema", kObject},
    {"/schema/params", kNames},
    {"/schema/metrics", kObject},
};

}  // namespace

void check_meta_shape(const nlohmann::json& meta, const std::string& path,
                      std::string_view command) {
  if (!meta.is_object()) {
    throw BadInput(
        fmt::format("{}: {}: expected a JSON object, found {}", command, path, meta.type_name()));
  }
  for (const Field& f : kFields) {
    const json::json_pointer ptr(f.pointer);
    // A field under a parent of another type is named by the parent's own check.
    if (!ptr.parent_pointer().empty() && !meta.contains(ptr.parent_pointer())) continue;
    if (!ptr.parent_pointer().empty() && !meta.at(ptr.parent_pointer()).is_object()) continue;
    if (!meta.contains(ptr)) continue;
    const json& v = meta.at(ptr);
    if (!f.kind.ok(v)) {
      throw BadInput(fmt::format("{}: {}: {} is {}, expected {}", command, path,
                                 std::string(f.pointer).substr(1), v.type_name(), f.kind.expected));
    }
  }
}

}  // namespace parbench
