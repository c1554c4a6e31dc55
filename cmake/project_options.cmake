# Warnings, language standard and sanitizers live on one INTERFACE target that every parbench
# target links, so nothing is set globally and a consumer of a library target is not affected.
add_library(parbench_options INTERFACE)
add_library(parbench::options ALIAS parbench_options)
target_compile_features(parbench_options INTERFACE cxx_std_20)
set(CMAKE_CXX_EXTENSIONS OFF)
target_compile_options(parbench_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual)
if(PARBENCH_WARNINGS_AS_ERRORS)
  target_compile_options(parbench_options INTERFACE -Werror)
endif()
if(PARBENCH_SANITIZE)
  # No recovery: undefined behaviour fails the test that hits it instead of scrolling past.
  target_compile_options(parbench_options INTERFACE -fsanitize=${PARBENCH_SANITIZE} -fno-omit-frame-pointer
                                                    -fno-sanitize-recover=all)
  target_link_options(parbench_options INTERFACE -fsanitize=${PARBENCH_SANITIZE})
endif()

# The revision the binary was configured from goes into every report's machine description.
execute_process(
  COMMAND git -C ${CMAKE_SOURCE_DIR} describe --always --dirty --abbrev=12
  OUTPUT_VARIABLE PARBENCH_GIT_REVISION OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT PARBENCH_GIT_REVISION)
  set(PARBENCH_GIT_REVISION "unknown")
endif()
