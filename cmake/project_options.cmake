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

# The flags of this build, for every report's machine description (the git revision is written at
# build time: cmake/git_revision.cmake).
string(TOUPPER "${CMAKE_BUILD_TYPE}" build_type_upper)
string(STRIP "${CMAKE_CXX_FLAGS} ${CMAKE_CXX_FLAGS_${build_type_upper}}" PARBENCH_COMPILE_FLAGS)
