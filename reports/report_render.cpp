#include "report_render.hpp"

#include "named_registry.hpp"

namespace parbench {

namespace {

const NamedRegistry<ReportRenderer>& renderer_registry() {
  static const NamedRegistry<ReportRenderer> renderers{&make_html_renderer, &make_markdown_renderer,
                                                       &make_text_renderer, &make_json_renderer};
  return renderers;
}

}  // namespace

const std::vector<std::unique_ptr<ReportRenderer>>& report_renderers() {
  return renderer_registry().all();
}

const ReportRenderer* find_renderer(std::string_view name) {
  return renderer_registry().find(name);
}

}  // namespace parbench
