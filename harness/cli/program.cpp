// main() of `parbench`, and of a program built against the installed package (parbench::main
// compiles this file into it, with PARBENCH_SCRIPTS_DIR naming the installed scripts).
#include "parbench_main.hpp"
#include "scripts_dir.hpp"

int main(int argc, char** argv) {
#ifdef PARBENCH_SCRIPTS_DIR
  parbench::set_scripts_dir(PARBENCH_SCRIPTS_DIR);
#endif
  return parbench::cli::main(argc, argv);
}
