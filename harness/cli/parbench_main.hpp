#pragma once
// The whole parbench command line, for `parbench` itself and for a program built against the
// installed package (parbench::main gives it a main() that calls this): every subcommand, with
// the program's own registered workloads beside the built-in ones.
namespace parbench::cli {

// Exit status: 0 ok, 1 a case failed or something regressed, 2 bad input, 3 a report or the
// output could not be written, 130 interrupted.
int main(int argc, char** argv);

}  // namespace parbench::cli
