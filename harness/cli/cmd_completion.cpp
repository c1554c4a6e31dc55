// parbench completion bash: a bash completion script for this build's subcommands, options,
// workloads, suites, backends and parameters (the names are taken from the registries when it is
// printed). Install: parbench completion bash > /etc/bash_completion.d/parbench
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <set>
#include <vector>

#include "backend.hpp"
#include "bad_input.hpp"
#include "commands.hpp"
#include "registry.hpp"
#include "suites.hpp"

namespace parbench::cli {
namespace {

std::string words(const std::set<std::string>& s) { return fmt::format("{}", fmt::join(s, " ")); }

// Every option of a subcommand and of its own subcommands (and their names), long and short.
std::set<std::string> option_names(const CLI::App* cmd) {
  std::set<std::string> out;
  std::vector<const CLI::App*> todo = {cmd};
  while (!todo.empty()) {
    const CLI::App* app = todo.back();
    todo.pop_back();
    for (const CLI::Option* o : app->get_options()) {
      for (const auto& n : o->get_lnames()) out.insert("--" + n);
      for (const auto& n : o->get_snames()) out.insert("-" + n);
    }
    for (const CLI::App* sub : app->get_subcommands({})) {
      out.insert(sub->get_name());
      todo.push_back(sub);
    }
  }
  return out;
}

std::string bash_script(const CLI::App& app) {
  std::set<std::string> commands, targets, backends, params;
  std::string per_command;
  for (const CLI::App* sub : app.get_subcommands({})) {
    commands.insert(sub->get_name());
    per_command +=
        fmt::format("    {}) opts=\"{}\" ;;\n", sub->get_name(), words(option_names(sub)));
  }
  for (const auto& w : all_workloads()) {
    targets.emplace(w->name());
    for (const auto& p : w->params()) params.insert(p.name + "=");
  }
  for (const auto& s : all_suites()) targets.insert(s.name);
  for (const auto& b : all_backends()) backends.emplace(b->name());
  return fmt::format(R"(# bash completion for parbench, printed by `parbench completion bash`
_parbench() {{
  local cur prev cmd opts
  cur="${{COMP_WORDS[COMP_CWORD]}}"
  prev="${{COMP_WORDS[COMP_CWORD-1]}}"
  cmd="${{COMP_WORDS[1]}}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "{}" -- "$cur")); return
  fi
  case "$prev" in
    -b|--backend) COMPREPLY=($(compgen -W "{}" -- "$cur")); return ;;
    -p|--param) compopt -o nospace 2>/dev/null; COMPREPLY=($(compgen -W "{}" -- "$cur")); return ;;
    -o|--out|--db|--history) COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
  case "$cmd" in
{}    *) opts="" ;;
  esac
  case "$cmd" in
    run|count) opts="$opts {}" ;;
  esac
  if [[ "$cur" == -* || "$cmd" != run ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur")); [ ${{#COMPREPLY[@]}} -gt 0 ] && return
  fi
  COMPREPLY=($(compgen -W "$opts" -- "$cur") $(compgen -f -- "$cur"))
}}
complete -F _parbench parbench
)",
                     words(commands), words(backends), words(params), per_command, words(targets));
}

}  // namespace

Command add_completion(CLI::App& app) {
  auto shell = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("completion", "Print a shell completion script (bash)");
  cmd->add_option("shell", *shell, "The shell: bash")->required();
  return [shell, &app] {
    if (*shell != "bash")
      throw BadInput(fmt::format("completion: '{}' is not supported; expected bash", *shell));
    fmt::print("{}", bash_script(app));
    return 0;
  };
}

}  // namespace parbench::cli
