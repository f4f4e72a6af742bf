// The one temporary-folder helper of the test suite: a fresh folder under
// the system temp dir for one test, removed with everything in it when the
// helper goes. Its name carries the test's suite and name and the process
// id, so parallel ctest runs and repeated tests never share a folder.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>

#include <gtest/gtest.h>

namespace frontdoor::testing {

class TempDir {
 public:
  // `label` tells one test's folders apart when it makes several.
  explicit TempDir(std::string_view label = "test") {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = "frontdoor-" + std::string(label) + "-" +
                       (info ? std::string(info->test_suite_name()) + "." + info->name() : "x") +
                       "-" + std::to_string(::getpid());
    for (char& c : name) {
      if (c == '/') c = '_';  // parameterised tests are named "Suite/Test/0"
    }
    path_ = std::filesystem::temp_directory_path() / name;
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // Writes `text` to `relative` inside the folder (making its folders) and
  // returns the file's path.
  std::filesystem::path Write(const std::string& relative, std::string_view text) const {
    std::filesystem::path file = path_ / relative;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
    return file;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace frontdoor::testing
