// SPDX-License-Identifier: Apache-2.0
#include "collect/row_reader.h"

#include <charconv>
#include <cstring>

#include <fmt/format.h>

namespace pgvigil::collect {

RowReader::RowReader(const pg::ResultSet& result, std::string_view query_name)
    : result_(result), query_name_(query_name) {}

int RowReader::Column(const char* name, bool required) {
  // Rows are read field by field in the same order, so the next cached entry is almost always
  // the one asked for (compared by the literal's address first).
  if (cursor_ < columns_.size() && columns_[cursor_].first == name) {
    return columns_[cursor_++].second;
  }
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (std::strcmp(columns_[i].first, name) == 0) {
      cursor_ = i + 1;
      return columns_[i].second;
    }
  }
  const int index = result_.ColumnIndex(name);
  if (index < 0 && required && status_.ok()) {
    status_ = common::InternalError(fmt::format("{}: the result has no column {}", query_name_, name));
  }
  columns_.emplace_back(name, index);
  cursor_ = columns_.size();
  return index;
}

void RowReader::RecordBadValue(const char* column) {
  if (!status_.ok()) return;
  status_ = common::InternalError(fmt::format("{}: malformed value in column {} of row {}",
                                              query_name_, column, row_));
}

namespace {
template <typename N>
bool ParseInteger(std::string_view text, N& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}
}  // namespace

bool RowReader::Convert(std::string_view text, std::int64_t& out) { return ParseInteger(text, out); }
bool RowReader::Convert(std::string_view text, int& out) { return ParseInteger(text, out); }
bool RowReader::Convert(std::string_view text, std::uint32_t& out) { return ParseInteger(text, out); }

bool RowReader::Convert(std::string_view text, double& out) {
  if (text == "NaN") {
    out = 0;
    return true;
  }
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

bool RowReader::Convert(std::string_view text, bool& out) {
  if (text == "t" || text == "true") {
    out = true;
    return true;
  }
  if (text == "f" || text == "false") {
    out = false;
    return true;
  }
  return false;
}

bool RowReader::Convert(std::string_view text, std::string& out) {
  out.assign(text);
  return true;
}

bool RowReader::Convert(std::string_view text, common::Timestamp& out) {
  double seconds = 0;
  if (!Convert(text, seconds)) return false;
  out = common::TimestampFromEpochSeconds(seconds);
  return true;
}

bool RowReader::Convert(std::string_view text, std::vector<std::string>& out) {
  return ParseTextArray(text, out);
}

bool RowReader::Convert(std::string_view text, std::vector<int>& out) {
  std::vector<std::string> items;
  if (!ParseTextArray(text, items)) return false;
  out.clear();
  for (const std::string& item : items) {
    int v = 0;
    if (!ParseInteger(std::string_view(item), v)) return false;
    out.push_back(v);
  }
  return true;
}

bool RowReader::ParseTextArray(std::string_view text, std::vector<std::string>& out) {
  out.clear();
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') return false;
  const std::string_view body = text.substr(1, text.size() - 2);
  if (body.empty()) return true;
  size_t i = 0;
  for (;;) {
    std::string item;
    if (i < body.size() && body[i] == '"') {
      ++i;
      while (i < body.size() && body[i] != '"') {
        if (body[i] == '\\' && i + 1 < body.size()) ++i;
        item.push_back(body[i++]);
      }
      if (i >= body.size()) return false;  // no closing quote
      ++i;
    } else {
      while (i < body.size() && body[i] != ',') item.push_back(body[i++]);
      if (item == "NULL") item.clear();
    }
    out.push_back(std::move(item));
    if (i >= body.size()) return true;
    if (body[i] != ',') return false;
    ++i;
  }
}

}  // namespace pgvigil::collect
