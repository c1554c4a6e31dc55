// The report as one self-contained HTML page: plots embedded as data: URIs, so the file can be
// mailed or attached to a review as it is.
#include <fmt/core.h>

#include <cctype>
#include <cstdint>

#include "report_files.hpp"
#include "report_render.hpp"

namespace parbench {
namespace {

std::string base64(const std::string& data) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < data.size(); i += 3) {
    std::uint32_t v = static_cast<std::uint32_t>(static_cast<unsigned char>(data[i])) << 16U;
    if (i + 1 < data.size())
      v |= static_cast<std::uint32_t>(static_cast<unsigned char>(data[i + 1])) << 8U;
    if (i + 2 < data.size()) v |= static_cast<unsigned char>(data[i + 2]);
    out += kAlphabet[(v >> 18U) & 63U];
    out += kAlphabet[(v >> 12U) & 63U];
    out += i + 1 < data.size() ? kAlphabet[(v >> 6U) & 63U] : '=';
    out += i + 2 < data.size() ? kAlphabet[v & 63U] : '=';
  }
  return out;
}

constexpr std::string_view kHead = R"(<style>
body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px}
table{border-collapse:collapse;font-size:90%}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}
th{background:#eee}pre{background:#f6f6f6;padding:8px;overflow-x:auto}img{max-width:100%;border:1px solid #ddd}
.error{color:#b00}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
details{margin-top:1.5em}summary{font-weight:bold;cursor:pointer}
ul.headline li{margin:2px 0}p.notes{font-size:85%;color:#555}h3{margin-bottom:4px}
</style>
</head>
<body>
)";

// Marks the page once every plot has decoded, so a headless browser (the tests) can tell that the
// page loaded and showed them; errors on the page are recorded the same way.
constexpr std::string_view kTail = R"(<script>
window.addEventListener("error", function (e) { document.body.dataset.errors = (document.body.dataset.errors || "") + e.message + ";"; });
window.addEventListener("load", function () {
  var imgs = Array.prototype.slice.call(document.querySelectorAll("img.plot"));
  document.body.dataset.plotsShown = imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; }).length + "/" + imgs.length;
});
</script>
</body>
</html>
)";

std::string table(const WorkloadTable& t) {
  std::string h = "<table>\n<tr>";
  for (const auto& c : t.header) h += "<th>" + html_escape(c) + "</th>";
  h += "</tr>\n";
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    h += t.failed[i] ? "<tr class=\"error\">" : "<tr>";
    for (const auto& c : t.rows[i]) {
      // Figures right-aligned: a cell that starts with a digit, a sign and a digit, or a dash.
      const bool number = !c.empty() && (std::isdigit(static_cast<unsigned char>(c[0])) != 0 ||
                                         ((c[0] == '-' || c[0] == '+') && c.size() > 1 &&
                                          std::isdigit(static_cast<unsigned char>(c[1])) != 0));
      h += fmt::format("<td{}>{}</td>", number ? " class=\"num\"" : "", html_escape(c));
    }
    h += "</tr>\n";
  }
  return h + "</table>\n";
}

class HtmlRenderer final : public ReportRenderer {
 public:
  [[nodiscard]] std::string_view name() const override { return "html"; }
  [[nodiscard]] std::string_view extension() const override { return "html"; }
  [[nodiscard]] std::string render(const ReportPage& page) const override {
    std::string h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    h += fmt::format("<title>parbench report: {}</title>\n", html_escape(page.name));
    h += kHead;
    h += fmt::format("<h1>parbench report: {}</h1>\n<p>{}</p>\n", html_escape(page.name),
                     html_escape(page.counts));
    if (!page.command.empty())
      h += fmt::format("<p>Command: <code>{}</code></p>\n", html_escape(page.command));
    if (!page.job.empty()) h += fmt::format("<p>Job: {}</p>\n", html_escape(page.job));
    if (!page.context.empty()) h += fmt::format("<p>Context: {}</p>\n", html_escape(page.context));
    for (const auto& section : page.headline) {
      h += fmt::format("<h2>{}</h2>\n<ul class=\"headline\">\n", html_escape(section.title));
      for (const auto& line : section.lines) h += fmt::format("<li>{}</li>\n", html_escape(line));
      h += "</ul>\n";
    }
    h += "<h2>Cases</h2>\n";
    for (const auto& t : page.tables) {
      h += fmt::format("<h3>{}</h3>\n", html_escape(t.workload));
      if (!t.shared.empty()) {
        h += fmt::format("<p class=\"shared\">Every case: {}</p>\n", html_escape(shared_text(t)));
      }
      h += table(t);
      if (!t.stacks.empty())
        h += fmt::format("<p class=\"shared\">{}</p>\n<ul>\n", html_escape(kStackTitle));
      for (const auto& line : t.stacks) h += fmt::format("<li>{}</li>\n", html_escape(line));
      if (!t.stacks.empty()) h += "</ul>\n";
    }
    h += fmt::format("<p class=\"notes\">{}</p>\n", html_escape(kTableNotes));
    if (!page.comparisons.empty())
      h += "<h2>Comparisons</h2>\n<pre>" + html_escape(page.comparisons) + "</pre>\n";
    if (!page.plots.empty()) h += "<h2>Plots</h2>\n";
    if (!page.plots_missing.empty()) {
      h += fmt::format("<h2>Plots</h2>\n<p class=\"error\">No plot could be drawn: {}.</p>\n",
                       html_escape(page.plots_missing));
    }
    for (const auto& p : page.plots) {
      h += fmt::format(
          "<h3>{}</h3>\n<img class=\"plot\" alt=\"{}\" src=\"data:image/png;base64,{}\">\n",
          html_escape(p.title), html_escape(p.title), base64(p.png));
    }
    // The machine last and folded: the results come first.
    if (!page.machine.empty()) {
      h += fmt::format("<details><summary>Machine</summary>\n<pre>{}</pre>\n</details>\n",
                       html_escape(page.machine));
    }
    return h + std::string(kTail);
  }
};

}  // namespace

std::string html_escape(const std::string& text) {
  // A page is UTF-8: bytes of another encoding (a commit or host name) become U+FFFD.
  const std::string s = valid_utf8_or_replaced(text);
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::unique_ptr<ReportRenderer> make_html_renderer() { return std::make_unique<HtmlRenderer>(); }

}  // namespace parbench
