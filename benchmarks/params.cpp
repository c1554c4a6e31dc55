#include "params.hpp"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <stdexcept>

#include "bad_input.hpp"
#include "python_names.hpp"

namespace parbench {
namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A compact form for messages: 1000000000000 -> 1e12, other values as they are.
std::string short_int(std::int64_t v) {
  if (v >= 10'000 && v % 1000 == 0) {
    int exp = 0;
    std::int64_t m = v;
    while (m % 10 == 0) {
      m /= 10;
      ++exp;
    }
    if (m < 10) return fmt::format("{}e{}", m, exp);
  }
  return std::to_string(v);
}

}  // namespace

bool parse_integer(std::string_view text, std::int64_t& out) {
  __extension__ using i128 = __int128;  // exact arithmetic for overflow checks
  std::int64_t scale = 1;
  for (auto [suffix, factor] :
       {std::pair{"Ki", std::int64_t{1} << 10}, std::pair{"Mi", std::int64_t{1} << 20},
        std::pair{"Gi", std::int64_t{1} << 30}}) {
    if (text.ends_with(suffix)) {
      scale = factor;
      text.remove_suffix(2);
      break;
    }
  }
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  std::string_view mantissa = text, exponent;
  if (const auto e = text.find_first_of("eE"); e != std::string_view::npos) {
    mantissa = text.substr(0, e);
    exponent = text.substr(e + 1);
    if (!exponent.empty() && exponent[0] == '+') exponent.remove_prefix(1);
    if (!all_digits(exponent)) return false;
  }
  std::string_view whole = mantissa, frac;
  if (const auto dot = mantissa.find('.'); dot != std::string_view::npos) {
    whole = mantissa.substr(0, dot);
    frac = mantissa.substr(dot + 1);
    if (!frac.empty() && !all_digits(frac)) return false;
  }
  if (!all_digits(whole)) return false;
  int exp = 0;
  if (!exponent.empty()) {
    if (exponent.size() > 2) return false;
    std::from_chars(exponent.data(), exponent.data() + exponent.size(), exp);
  }
  while (!frac.empty() && frac.back() == '0') frac.remove_suffix(1);
  if (static_cast<int>(frac.size()) > exp) return false;  // not an integer
  i128 value = 0;
  const i128 limit = std::numeric_limits<std::int64_t>::max();
  for (char c : std::string(whole) + std::string(frac)) {
    value = value * 10 + (c - '0');
    if (value > limit) return false;
  }
  for (int i = static_cast<int>(frac.size()); i < exp; ++i) {
    value *= 10;
    if (value > limit) return false;
  }
  value *= scale;
  if (value > limit) return false;
  out = static_cast<std::int64_t>(negative ? -value : value);
  return true;
}

ParamSpec ParamSpec::integer(std::string name, std::string help, std::vector<std::string> defaults,
                             std::int64_t min, std::int64_t max) {
  ParamSpec p;
  p.name = std::move(name);
  p.help = std::move(help);
  p.kind = Kind::Integer;
  p.defaults = std::move(defaults);
  p.min = min;
  p.max = max;
  return p;
}

ParamSpec ParamSpec::choice(std::string name, std::string help, std::vector<std::string> defaults,
                            std::vector<std::string> choices) {
  ParamSpec p;
  p.name = std::move(name);
  p.help = std::move(help);
  p.kind = Kind::Choice;
  p.defaults = std::move(defaults);
  p.choices = std::move(choices);
  return p;
}

ParamSpec ParamSpec::text(std::string name, std::string help, std::vector<std::string> defaults) {
  ParamSpec p;
  p.name = std::move(name);
  p.help = std::move(help);
  p.kind = Kind::Text;
  p.defaults = std::move(defaults);
  return p;
}

std::string ParamSpec::type_name() const {
  switch (kind) {
    case Kind::Integer:
      return "integer";
    case Kind::Choice:
      return "choice";
    case Kind::Text:
      return "text";
  }
  return "?";
}

std::string ParamSpec::allowed() const {
  if (kind == Kind::Integer)
    return fmt::format("an integer in [{}, {}]", short_int(min), short_int(max));
  if (kind == Kind::Text) return "one line, commas kept (repeat --param for more values)";
  return fmt::format("one of {}", fmt::join(choices, ", "));
}

std::string ParamSpec::normalize(std::string_view text) const {
  if (kind == Kind::Text) {
    const auto* const bad = std::find_if(text.begin(), text.end(), [](char ch) {
      return static_cast<unsigned char>(ch) < 0x20 && ch != '\t';
    });
    if (bad != text.end()) {
      throw BadInput(fmt::format(
          "parameter {}: the value has a control character (0x{:02x}, a newline?); expected {}; "
          "put several lines in a script and give its path",
          name, static_cast<int>(static_cast<unsigned char>(*bad)), allowed()));
    }
    return std::string(text);
  }
  if (kind == Kind::Choice) {
    if (const auto alias = python_alias(name, text)) {
      if (std::find(choices.begin(), choices.end(), *alias) != choices.end()) return *alias;
    }
    if (std::find(choices.begin(), choices.end(), text) == choices.end()) {
      throw BadInput(
          fmt::format("parameter {}: '{}' is not allowed; expected {}", name, text, allowed()));
    }
    return std::string(text);
  }
  std::int64_t v = 0;
  if (!parse_integer(text, v)) {
    throw BadInput(fmt::format(
        "parameter {}: '{}' is not an integer; expected {} (forms: 1000, 1e6, 2.5e6, 64Ki)", name,
        text, allowed()));
  }
  if (v < min || v > max) {
    throw BadInput(
        fmt::format("parameter {}: {} is out of range; expected {}", name, text, allowed()));
  }
  return std::to_string(v);
}

const std::string& ParamValues::get(const std::string& name) const {
  const auto it = values_.find(name);
  if (it == values_.end()) throw std::logic_error("parameter not set: " + name);
  return it->second;
}

std::string ParamValues::get_or_empty(const std::string& name) const {
  const auto it = values_.find(name);
  return it == values_.end() ? std::string() : it->second;
}

std::int64_t ParamValues::get_int(const std::string& name) const {
  std::int64_t v = 0;
  if (!parse_integer(get(name), v)) throw std::logic_error("parameter is not an integer: " + name);
  return v;
}

}  // namespace parbench
