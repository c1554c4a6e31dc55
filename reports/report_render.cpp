#include "report_render.hpp"

namespace parbench {

std::unique_ptr<ReportRenderer> make_html_renderer();
std::unique_ptr<ReportRenderer> make_markdown_renderer();
std::unique_ptr<ReportRenderer> make_text_renderer();
std::unique_ptr<ReportRenderer> make_json_renderer();

const std::vector<std::unique_ptr<ReportRenderer>>& report_renderers() {
  static const auto renderers = [] {
    std::vector<std::unique_ptr<ReportRenderer>> v;
    v.push_back(make_html_renderer());
    v.push_back(make_markdown_renderer());
    v.push_back(make_text_renderer());
    v.push_back(make_json_renderer());
    return v;
  }();
  return renderers;
}

const ReportRenderer* find_renderer(std::string_view name) {
  for (const auto& r : report_renderers()) {
    if (r->name() == name) return r.get();
  }
  return nullptr;
}

}  // namespace parbench
