#pragma once
// The formats a report page renders to. Each is one file (report_html.cpp, report_markdown.cpp,
// report_text.cpp, report_json.cpp); adding a format is one file plus one line in
// report_render.cpp.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "report_page.hpp"

namespace parbench {

class ReportRenderer {
 public:
  ReportRenderer() = default;
  virtual ~ReportRenderer() = default;
  ReportRenderer(const ReportRenderer&) = delete;
  ReportRenderer& operator=(const ReportRenderer&) = delete;

  // The format's name (--format) and the file it writes: PREFIX.report.<extension>.
  [[nodiscard]] virtual std::string_view name() const = 0;
  [[nodiscard]] virtual std::string_view extension() const = 0;
  [[nodiscard]] virtual std::string render(const ReportPage& page) const = 0;
};

// Each format's file defines its maker; report_render.cpp lists them.
std::unique_ptr<ReportRenderer> make_html_renderer();
std::unique_ptr<ReportRenderer> make_markdown_renderer();
std::unique_ptr<ReportRenderer> make_text_renderer();
std::unique_ptr<ReportRenderer> make_json_renderer();

// Text for HTML: & < > " as entities.
std::string html_escape(const std::string& text);

// html, md, txt, json.
const std::vector<std::unique_ptr<ReportRenderer>>& report_renderers();
// nullptr when no format has that name.
const ReportRenderer* find_renderer(std::string_view name);

}  // namespace parbench
