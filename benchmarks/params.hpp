#pragma once
// Declared workload parameters and the values of one case. Values are kept as canonical text (an
// integer in decimal, a choice as written), which is also what goes into the CSV column.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace parbench {

struct ParamSpec {
  // Text: any one line (a command, a module:function), never split at commas; several values are
  // given by repeating --param NAME=VALUE.
  enum class Kind { Integer, Choice, Text };

  std::string name;
  std::string help;
  Kind kind = Kind::Integer;
  std::vector<std::string> defaults;  // more than one value: swept by default
  std::int64_t min = 0;               // Integer only, inclusive
  std::int64_t max = 0;
  std::vector<std::string> choices;  // Choice only

  static ParamSpec integer(std::string name, std::string help, std::vector<std::string> defaults,
                           std::int64_t min, std::int64_t max);
  static ParamSpec choice(std::string name, std::string help, std::vector<std::string> defaults,
                          std::vector<std::string> choices);
  static ParamSpec text(std::string name, std::string help, std::vector<std::string> defaults);

  // Canonical text of one value. Integers accept 100000, 1e5, 2.5e6, 64Ki, 1Mi, 1Gi.
  // Throws BadInput naming the parameter, the value and what is allowed.
  [[nodiscard]] std::string normalize(std::string_view text) const;
  // "integer in [1, 1e12]" or "one of strong, weak": for messages and `parbench list`.
  [[nodiscard]] std::string allowed() const;
  [[nodiscard]] std::string type_name() const;
};

// Parses an integer in the forms ParamSpec accepts; false when it is not one.
bool parse_integer(std::string_view text, std::int64_t& out);

class ParamValues {
 public:
  void set(const std::string& name, std::string value) { values_[name] = std::move(value); }
  [[nodiscard]] const std::string& get(const std::string& name) const;
  [[nodiscard]] std::int64_t get_int(const std::string& name) const;
  // The value, or "" when the workload has no such parameter.
  [[nodiscard]] std::string get_or_empty(const std::string& name) const;
  [[nodiscard]] const std::map<std::string, std::string>& all() const { return values_; }
  auto operator<=>(const ParamValues&) const = default;

 private:
  std::map<std::string, std::string> values_;
};

}  // namespace parbench
