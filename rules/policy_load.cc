// Loading a threshold policy: YAML is read into the policy.proto messages
// through TreeReader (so the schema decides what is a field, a code or a
// number) while every field's line is indexed, the policy is checked
// (policy_check.cc) and compiled (policy_compile.cc), and the letter
// templates it names are read (from files beside it, or as the store kept
// them) and checked. A policy's version is the hash of its text and its
// templates. Every problem is collected with its file, line and bad value,
// so a partnership fixing a policy sees them all at once rather than one
// per attempt.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "frontdoor/digest.h"
#include "rules/policy.h"
#include "rules/policy_internal.h"
#include "rules/policy_stages.h"
#include "rules/yaml_node.h"

namespace frontdoor::rules {

namespace internal {

namespace {

std::string ParentPath(const std::string& path) {
  if (path.empty()) return path;
  if (path.back() == ']') {
    size_t open = path.rfind('[');
    return open == std::string::npos ? std::string() : path.substr(0, open);
  }
  size_t dot = path.rfind('.');
  return dot == std::string::npos ? std::string() : path.substr(0, dot);
}

}  // namespace

void SourceIndex::Build(const YAML::Node& node, const std::string& path,
                        const std::function<void(const std::string&, int, std::string)>& error) {
  YamlNode adapter(node);
  Node& info = nodes_[path];
  info.line = adapter.Line();
  if (node.IsScalar()) {
    info.scalar = true;
    info.text = node.Scalar();
  } else if (node.IsMap()) {
    std::map<std::string, int> seen;
    for (const auto& entry : node) {
      if (!entry.first.IsScalar()) {
        error(path, YamlNode(entry.first).Line(), "keys must be plain names");
        continue;
      }
      const std::string& key = entry.first.Scalar();
      int key_line = YamlNode(entry.first).Line();
      auto [it, inserted] = seen.emplace(key, key_line);
      if (!inserted) {
        error(
            JoinPath(path, key), key_line,
            "is given twice in the same object (first on line " + std::to_string(it->second) + ")");
        continue;
      }
      Build(entry.second, JoinPath(path, key), error);
      // An empty value's mark points past it; the key's line is clearer.
      if (entry.second.IsNull()) nodes_[JoinPath(path, key)].line = key_line;
    }
  } else if (node.IsSequence()) {
    size_t i = 0;
    for (const auto& element : node) {
      Build(element, path + "[" + std::to_string(i++) + "]", error);
    }
  }
}

int SourceIndex::LineOf(std::string path) const {
  while (true) {
    auto it = nodes_.find(path);
    if (it != nodes_.end() && it->second.line > 0) return it->second.line;
    if (path.empty()) return 0;
    path = ParentPath(path);
  }
}

const SourceIndex::Node* SourceIndex::Find(const std::string& path) const {
  auto it = nodes_.find(path);
  return it == nodes_.end() ? nullptr : &it->second;
}

void PolicyProblems::AtLine(int line, std::string message) {
  errors_.push_back(PolicyError{file_, line, "", std::move(message)});
}

void PolicyProblems::Schema(const std::string& path, int line, std::string message) {
  errors_.push_back(PolicyError{file_, line, path, std::move(message)});
  schema_error_paths_.push_back(path);
}

void PolicyProblems::Error(const std::string& path, std::string message) {
  for (const std::string& bad : schema_error_paths_) {
    if (path == bad || (path.starts_with(bad) && bad.size() < path.size() &&
                        (path[bad.size()] == '.' || path[bad.size()] == '['))) {
      return;
    }
  }
  errors_.push_back(PolicyError{file_, index_.LineOf(path), path, std::move(message)});
}

}  // namespace internal

namespace {

using internal::CompiledPolicy;
using internal::Quote;
using internal::SourceIndex;
using internal::TemplateProblem;

// A letter template is a page or two; anything bigger is a mistake (or a
// device such as /dev/zero, which would never end).
constexpr std::uintmax_t kMaxTemplateBytes = 64 * 1024;

// The problems with `text` as policy text: bytes that are not UTF-8, and
// control characters other than tab, line feed and carriage return. One
// problem per bad line, with its line and column.
void CheckPolicyText(std::string_view text, internal::PolicyProblems& problems) {
  int line = 1;
  int last_bad_line = 0;
  size_t line_start = 0;
  auto bad = [&](size_t at, std::string what) {
    if (line == last_bad_line) return;
    last_bad_line = line;
    problems.AtLine(line, what + " at column " + std::to_string(at - line_start + 1) +
                              ": a policy must be UTF-8 text without control characters");
  };
  auto hex = [](unsigned char c) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%02X", c);
    return std::string(buf);
  };
  for (size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++line;
      line_start = ++i;
      continue;
    }
    if (c < 0x80) {
      if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7F) {
        bad(i, "the control character " + hex(c));
      }
      ++i;
      continue;
    }
    // Multi-byte UTF-8: the lead byte gives the length; overlong forms,
    // surrogates and values past U+10FFFF are refused.
    size_t length = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
                                              : c >= 0xF0 && c <= 0xF4 ? 4
                                                                       : 0;
    bool ok = length != 0 && i + length <= text.size();
    for (size_t k = 1; ok && k < length; ++k) {
      ok = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    }
    if (ok && length >= 3) {
      unsigned char c1 = static_cast<unsigned char>(text[i + 1]);
      if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F) || (c == 0xF0 && c1 < 0x90) ||
          (c == 0xF4 && c1 > 0x8F)) {
        ok = false;
      }
    }
    if (!ok) {
      bad(i, "the byte " + hex(c) + " is not UTF-8");
      ++i;
      continue;
    }
    // C1 control characters (U+0080 to U+009F).
    if (length == 2 && c == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0) {
      bad(i, "the control character U+00" + hex(static_cast<unsigned char>(text[i + 1])).substr(2));
    }
    i += length;
  }
}

// What the schema reader would let through silently: a field written with
// no value (`concerns: ~`, or nothing after the colon), which would drop a
// condition and let the rule match everything, and a rule's `reasons: []`.
void CheckNoEmptyValues(const YAML::Node& node, const std::string& path,
                        internal::PolicyProblems& problems) {
  if (node.IsMap()) {
    for (const auto& entry : node) {
      if (!entry.first.IsScalar()) continue;
      std::string child = internal::JoinPath(path, entry.first.Scalar());
      if (entry.second.IsNull()) {
        problems.Schema(child, YamlNode(entry.first).Line(),
                        "has no value: give one, or leave the line out");
      } else {
        CheckNoEmptyValues(entry.second, child, problems);
      }
    }
  } else if (node.IsSequence()) {
    if (node.size() == 0 && (path.ends_with(".reasons") || path == "reasons")) {
      problems.Schema(path, YamlNode(node).Line(),
                      "is an empty list: give at least one reason, or leave the line out");
    }
    size_t i = 0;
    for (const auto& element : node) {
      std::string child = path + "[" + std::to_string(i++) + "]";
      if (element.IsNull()) {
        problems.Schema(child, YamlNode(element).Line() > 0 ? YamlNode(element).Line()
                                                            : YamlNode(node).Line(),
                        "has no value: give one, or leave the element out");
      } else {
        CheckNoEmptyValues(element, child, problems);
      }
    }
  }
}

// The line of a document marker (`---` or `...` at the start of a line)
// after the first content, where a second document would start; 0 when
// there is none. In YAML such a line is always a marker: block text is
// indented.
int SecondDocumentLine(std::string_view text) {
  int line = 1;
  bool content = false;
  for (size_t i = 0; i < text.size();) {
    size_t end = text.find('\n', i);
    std::string_view row = text.substr(i, end == std::string_view::npos ? end : end - i);
    if (row.starts_with("---") || row.starts_with("...")) {
      if (content) return line;
    } else if (!row.empty() && row.front() != '#') {
      content = true;
    }
    if (end == std::string_view::npos) break;
    i = end + 1;
    ++line;
  }
  return 0;
}

class Loader {
 public:
  // `stored_templates`, when given, holds the letter templates by the path
  // the policy names them with, instead of files under `base_dir`.
  // A stored version was checked when it was first loaded: the checks added
  // since (UTF-8, empty values, one document) are not applied again, so
  // that every stored version stays readable.
  Loader(std::string file, std::filesystem::path base_dir, std::vector<PolicyError>& errors,
         const std::map<std::string, std::string>* stored_templates = nullptr)
      : strict_(stored_templates == nullptr),
        problems_(std::move(file), errors),
        base_dir_(std::move(base_dir)),
        stored_templates_(stored_templates) {}

  // Reads, checks and compiles. Returns false when any problem was found.
  bool Load(std::string_view text, v1::Policy& spec, CompiledPolicy& compiled,
            std::string& hash_input) {
    if (strict_) {
      CheckPolicyText(text, problems_);
      if (!problems_.empty()) return false;
    }
    YAML::Node root;
    try {
      std::vector<YAML::Node> documents = YAML::LoadAll(std::string(text));
      if (!documents.empty()) root = documents.front();
      int second = strict_ ? SecondDocumentLine(text) : 0;
      if (strict_ && (documents.size() > 1 || second > 0)) {
        problems_.AtLine(second > 0 ? second : 1,
                         "a second YAML document starts here: a policy file holds one");
        return false;
      }
    } catch (const YAML::Exception& e) {
      problems_.AtLine(e.mark.is_null() ? 1 : e.mark.line + 1, e.msg);
      return false;
    }
    if (!root.IsDefined() || root.IsNull()) {
      problems_.AtLine(1, "the policy file is empty");
      return false;
    }
    if (!YamlWithinLimits(root)) {
      problems_.AtLine(YamlNode(root).Line() > 0 ? YamlNode(root).Line() : 1, kYamlTooLarge);
      return false;
    }
    if (!root.IsMap()) {
      problems_.AtLine(YamlNode(root).Line(),
                       "must be an object of policy fields (label, tables, ...)");
      return false;
    }
    problems_.index().Build(root, "", [&](const std::string& path, int line, std::string message) {
      problems_.Schema(path, line, std::move(message));
    });
    if (strict_) CheckNoEmptyValues(root, "", problems_);
    std::vector<FieldError> field_errors;
    TreeReader<YamlNode>(&field_errors).ReadMessage(YamlNode(root), &spec);
    for (FieldError& e : field_errors) {
      std::string message = std::move(e.message);
      // The reader names the field; add the value it could not take.
      if (message.starts_with("must be")) {
        if (const SourceIndex::Node* node = problems_.index().Find(e.field); node && node->scalar) {
          message += ", not " + Quote(node->text);
        }
      }
      problems_.Schema(e.field, e.line, std::move(message));
    }

    internal::CheckPolicyFields(spec, problems_);
    internal::CompilePolicy(spec, compiled, problems_);
    internal::CheckChecksPolicy(spec, compiled, problems_);
    LoadLetters(spec, compiled);

    hash_input.assign(text);
    for (const auto& [name, body] : compiled.letters) {
      hash_input += '\0';
      hash_input += name;
      hash_input += '\0';
      hash_input += body;
    }
    return problems_.empty();
  }

 private:
  void LoadLetters(const v1::Policy& spec, CompiledPolicy& compiled) {
    for (const char* required : {"acknowledgement", "outcome"}) {
      if (!spec.letters().contains(required)) {
        problems_.Error("letters",
                        std::string("has no ") + Quote(required) +
                            " template: it is required (the letter sent when a contact is " +
                            (std::string_view(required) == "outcome" ? "closed)" : "accepted)"));
      }
    }
    std::vector<std::string> names;
    for (const auto& entry : spec.letters()) names.push_back(entry.first);
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      const std::string& relative = spec.letters().at(name);
      std::string path = "letters." + name;
      if (relative.empty()) {
        problems_.Error(path, "is empty: give the template's file, relative to the policy file");
        continue;
      }
      std::string body;
      if (stored_templates_ != nullptr) {
        auto stored = stored_templates_->find(relative);
        if (stored == stored_templates_->end()) {
          problems_.Error(path, "the stored policy has no template " + Quote(relative));
          continue;
        }
        body = stored->second;
      } else {
        std::filesystem::path file;
        if (std::string refused = ConfinedTemplate(relative, file); !refused.empty()) {
          problems_.Error(path, Quote(relative) + " " + refused);
          continue;
        }
        std::ifstream in(file, std::ios::binary);
        if (!in) {
          problems_.Error(path, "cannot read the template " + Quote(file.string()));
          continue;
        }
        // Read at most one byte past the limit: the file may grow.
        body.resize(kMaxTemplateBytes + 1);
        in.read(body.data(), static_cast<std::streamsize>(body.size()));
        if (in.bad()) {
          problems_.Error(path, "cannot read the template " + Quote(file.string()));
          continue;
        }
        body.resize(static_cast<size_t>(in.gcount()));
        if (body.size() > kMaxTemplateBytes) {
          problems_.Error(path, Quote(relative) + " is larger than " +
                                    std::to_string(kMaxTemplateBytes / 1024) + " KiB");
          continue;
        }
      }
      for (const TemplateProblem& p : internal::CheckLetterTemplate(body)) {
        problems_.Error(path, relative + ":" + std::to_string(p.line) + ": " + p.message);
      }
      compiled.letters.emplace(name, std::move(body));
    }
  }

  // Why the template named `relative` is refused ("" when it is not), and
  // its file: it must be a regular file inside the policy's folder (no
  // absolute paths, no `..` or symbolic link leading out of it), of at
  // most kMaxTemplateBytes.
  std::string ConfinedTemplate(const std::string& relative, std::filesystem::path& file) const {
    std::filesystem::path named(relative);
    if (named.is_absolute() || named.has_root_name() || named.has_root_directory()) {
      return "is an absolute path: give the template's file relative to the policy's folder";
    }
    for (const auto& part : named) {
      if (part == "..") {
        return "leads out of the policy's folder (..): keep templates in it or below it";
      }
    }
    std::error_code ec;
    std::filesystem::path base = std::filesystem::weakly_canonical(base_dir_, ec);
    if (ec) base = base_dir_;
    file = base / named;
    std::filesystem::path real = std::filesystem::weakly_canonical(file, ec);
    if (!ec) {
      auto [end, unused] = std::mismatch(base.begin(), base.end(), real.begin(), real.end());
      if (end != base.end()) {
        return "leads out of the policy's folder (by a symbolic link): keep templates in it";
      }
    }
    std::filesystem::file_status status = std::filesystem::status(file, ec);
    if (ec || !std::filesystem::exists(status)) return "";  // "cannot read", below

    if (!std::filesystem::is_regular_file(status)) {
      return "is not a regular file (a folder or a device): give a template's text file";
    }
    std::uintmax_t size = std::filesystem::file_size(file, ec);
    if (!ec && size > kMaxTemplateBytes) {
      return "is larger than " + std::to_string(kMaxTemplateBytes / 1024) + " KiB";
    }
    return "";
  }

  const bool strict_;
  internal::PolicyProblems problems_;
  const std::filesystem::path base_dir_;
  const std::map<std::string, std::string>* const stored_templates_;
};

absl::Status Failure(const std::string& file, const std::vector<PolicyError>& errors) {
  std::string message =
      file + ": " + std::to_string(errors.size()) + (errors.size() == 1 ? " problem" : " problems");
  if (!errors.empty()) message += "; the first: " + errors.front().ToString();
  return absl::InvalidArgumentError(message);
}

}  // namespace

std::string PolicyError::ToString() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line);
  out += ": ";
  if (!field.empty()) out += field + ": ";
  out += message;
  return out;
}

Policy::Policy() = default;
Policy::~Policy() = default;

absl::StatusOr<std::shared_ptr<const Policy>> Policy::LoadFile(const std::filesystem::path& path,
                                                               std::vector<PolicyError>* errors) {
  std::vector<PolicyError> local;
  std::vector<PolicyError>& out = errors ? *errors : local;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    out.push_back(PolicyError{path.string(), 0, "", "cannot read the policy file"});
    return absl::NotFoundError(path.string() + ": cannot read the policy file");
  }
  std::stringstream text;
  text << in.rdbuf();
  std::filesystem::path base = path.parent_path();
  if (base.empty()) base = ".";
  absl::StatusOr<std::shared_ptr<Policy>> policy = Build(text.str(), path.string(), base, &out);
  if (!policy.ok()) return policy.status();
  (*policy)->path_ = path;
  return std::shared_ptr<const Policy>(*std::move(policy));
}

absl::StatusOr<std::shared_ptr<const Policy>> Policy::LoadText(
    std::string_view text, const std::string& file_name, const std::filesystem::path& base_dir,
    std::vector<PolicyError>* errors) {
  absl::StatusOr<std::shared_ptr<Policy>> policy = Build(text, file_name, base_dir, errors);
  if (!policy.ok()) return policy.status();
  return std::shared_ptr<const Policy>(*std::move(policy));
}

absl::StatusOr<std::shared_ptr<const Policy>> Policy::LoadStored(
    std::string_view text, const std::map<std::string, std::string>& templates_by_path,
    const std::string& file_name, std::vector<PolicyError>* errors) {
  absl::StatusOr<std::shared_ptr<Policy>> policy =
      Build(text, file_name, std::filesystem::path(), errors, &templates_by_path);
  if (!policy.ok()) return policy.status();
  return std::shared_ptr<const Policy>(*std::move(policy));
}

std::map<std::string, std::string> Policy::TemplatesByPath() const {
  std::map<std::string, std::string> out;
  for (const auto& [name, path] : spec_.letters()) {
    auto text = compiled_->letters.find(name);
    if (text != compiled_->letters.end()) out[path] = text->second;
  }
  return out;
}

absl::StatusOr<std::shared_ptr<Policy>> Policy::Build(
    std::string_view text, const std::string& file_name, const std::filesystem::path& base_dir,
    std::vector<PolicyError>* errors, const std::map<std::string, std::string>* stored_templates) {
  std::vector<PolicyError> local;
  std::vector<PolicyError>& out = errors ? *errors : local;
  size_t before = out.size();
  std::shared_ptr<Policy> policy(new Policy());
  auto compiled = std::make_unique<Compiled>();
  std::string hash_input;
  bool ok = false;
  try {
    ok = Loader(file_name, base_dir, out, stored_templates)
             .Load(text, policy->spec_, *compiled, hash_input);
  } catch (const YAML::Exception& e) {
    // yaml-cpp's conversions throw; none should reach here, but a policy
    // file must never take the server down.
    out.push_back(PolicyError{file_name, e.mark.is_null() ? 0 : e.mark.line + 1, "", e.msg});
  }
  if (!ok || out.size() > before) {
    std::vector<PolicyError> mine(out.begin() + static_cast<std::ptrdiff_t>(before), out.end());
    return Failure(file_name, mine);
  }
  policy->text_.assign(text);
  policy->version_ = "sha256:" + Sha256Hex(hash_input).substr(0, 16);
  compiled->parsed_letters = internal::ParseLetters(compiled->letters);
  policy->compiled_ = std::move(compiled);
  return policy;
}

}  // namespace frontdoor::rules
