#pragma once
// Finding a report's files from what a user names: PREFIX.csv or PREFIX, and PREFIX.meta.json.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace parbench {

// PREFIX from "PREFIX.csv" or "PREFIX".
std::string report_prefix(std::string path);

// Checks an output prefix (`option` names it in messages) and creates its directory. Throws
// BadInput when it is empty or names a directory (DIR/ would write hidden files DIR/.csv), and
// ReportWriteError when the directory cannot be created.
void prepare_output_prefix(const std::string& prefix, std::string_view option);
// A directory for several reports (ab's runs): created, or ReportWriteError.
void prepare_output_dir(const std::string& dir, std::string_view option);
// The checks alone, creating nothing.
void check_output_prefix(const std::string& prefix, std::string_view option);

// A JSON document as the text of a file: indented, ending in a newline. Bytes that are not UTF-8
// (a path or a host name in another encoding) become U+FFFD instead of failing the write.
std::string json_text(const nlohmann::json& j);

// True when `text` is valid UTF-8 (what a JSON string must hold).
bool valid_utf8(std::string_view text);
// `text` with each byte that is not part of valid UTF-8 replaced by U+FFFD.
std::string valid_utf8_or_replaced(std::string_view text);

// PREFIX.meta.json parsed, or an empty object when the file does not exist. Throws BadInput,
// naming `command` and the file, when it is not valid JSON.
nlohmann::json read_report_meta(const std::string& prefix, std::string_view command);

// Throws BadInput naming the file, the field and the type it needs when a field parbench reads
// (machine, run, noise_rule, schema) has another type: a hand-edited meta.json must not surface
// as a bare JSON library error.
void check_meta_shape(const nlohmann::json& meta, const std::string& path,
                      std::string_view command);

}  // namespace parbench
