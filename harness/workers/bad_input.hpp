#pragma once
// Thrown for anything the user typed that cannot be run: the CLI turns it into one line on stderr
// and exit status 2, and it is always thrown before any output file is opened.
#include <stdexcept>
#include <string>

namespace parbench {

class BadInput : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace parbench
