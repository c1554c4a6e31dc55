# `cmake --install build --prefix P`: the parbench command, its libraries and public headers, the
# scripts it runs, and a CMake package, so that a project of one's own can write workloads against
# parbench and build a binary that is the whole command line:
#
#   find_package(parbench CONFIG REQUIRED)
#   add_executable(mybench histogram.cpp)
#   target_link_libraries(mybench PRIVATE parbench::main)
#
# Headers go to P/include/parbench (#include <parbench/workload.hpp>); they include each other by
# plain name, so that folder is on the include path too.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(parbench_libraries parbench_core parbench_workloads parbench_reports parbench_runner
                       parbench_cli)
foreach(lib core workloads reports runner cli)
  set_target_properties(parbench_${lib} PROPERTIES EXPORT_NAME ${lib})
  target_include_directories(parbench_${lib} INTERFACE
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/parbench>)
endforeach()
# The build's warnings stay in the build; a consumer gets only the language standard.
target_compile_features(parbench_core PUBLIC cxx_std_20)

install(TARGETS parbench RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS ${parbench_libraries} EXPORT parbench-targets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(EXPORT parbench-targets NAMESPACE parbench::
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/parbench)

# Every header of the four layers, flat, and the channels' and locks' folders as they are.
foreach(dir harness/workers harness/run harness/cli reports benchmarks)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/parbench
          FILES_MATCHING PATTERN "*.hpp" PATTERN "micro" EXCLUDE PATTERN "reference" EXCLUDE
          PATTERN "baselines" EXCLUDE)
endforeach()

# The scripts parbench runs (plots, the Python bridge), and the main() a user's program compiles.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/scripts/ DESTINATION ${CMAKE_INSTALL_DATADIR}/parbench/scripts
        FILES_MATCHING PATTERN "*.py" PATTERN "slurm" EXCLUDE PATTERN "__pycache__" EXCLUDE)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/examples/python
        DESTINATION ${CMAKE_INSTALL_DATADIR}/parbench/examples
        FILES_MATCHING PATTERN "*.py" PATTERN "__pycache__" EXCLUDE)
install(FILES ${PROJECT_SOURCE_DIR}/harness/cli/program.cpp
        DESTINATION ${CMAKE_INSTALL_DATADIR}/parbench)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/parbench-config.cmake.in
  ${PROJECT_BINARY_DIR}/parbench-config.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/parbench
  PATH_VARS CMAKE_INSTALL_DATADIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/parbench-config-version.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/parbench-config.cmake
              ${PROJECT_BINARY_DIR}/parbench-config-version.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/parbench)
