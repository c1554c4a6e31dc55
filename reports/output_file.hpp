#pragma once
// Writing a whole file where the user pointed: a regular file is replaced through a temporary
// file and rename, so readers never see half of it; what is not a regular file is written into,
// never replaced (`-o /dev/null` stays a device, a FIFO stays a FIFO); a symbolic link is
// followed, so its target gets the content and the link stays a link; /dev/stdout and /dev/fd/N
// are this process's own descriptors.
#include <string>
#include <string_view>
#include <system_error>

namespace parbench {

// A report file could not be written (disk full, no permission, file-size limit): exit status 3.
// What was written before is whole.
class ReportWriteError : public std::system_error {
 public:
  ReportWriteError(int err, const std::string& what)
      : std::system_error(err, std::generic_category(), what) {}
};

// The checks of write_file_atomically alone, before anything is written: BadInput (naming
// `option`) when `path` is, or links to, a directory, a socket or a block device, or is empty.
void check_output_file(const std::string& path, std::string_view option);

// Writes `content` to `path` as the header says. The temporary file has a name of its own
// (PATH.XXXXXX.tmp), so writers of one path at once do not collide: the last rename wins, whole.
// Throws ReportWriteError (the temporary file removed, `path` as it was), or BadInput for what
// check_output_file refuses.
void write_file_atomically(const std::string& path, std::string_view content);

// For a file written earlier with room to spare (trailing spaces, which JSON ignores): writes
// `content` over it, padded with spaces to the file's size, in one write that needs no new disk
// space. Where write_file_atomically fails for a full disk, this can still record why. Throws
// ReportWriteError when the content does not fit or the write fails.
void overwrite_in_place(const std::string& path, std::string_view content);

// The whole buffer to `fd`, or the errno of the write that failed (0 when none did).
int write_all(int fd, std::string_view data);

}  // namespace parbench
