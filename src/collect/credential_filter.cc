// SPDX-License-Identifier: Apache-2.0
#include "collect/credential_filter.h"

#include <cctype>

namespace pgvigil::collect {
namespace {

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Whether `word` occurs in `lower` as a whole word.
bool HasWord(const std::string& lower, std::string_view word) {
  for (size_t pos = lower.find(word); pos != std::string::npos; pos = lower.find(word, pos + 1)) {
    const bool starts = pos == 0 || !IsWordChar(lower[pos - 1]);
    const size_t end = pos + word.size();
    const bool ends = end >= lower.size() || !IsWordChar(lower[end]);
    if (starts && ends) return true;
  }
  return false;
}

// Whether `first`, white space, then `second` occurs (e.g. "user   mapping", "options (").
bool HasPair(const std::string& lower, std::string_view first, std::string_view second,
             bool space_required) {
  for (size_t pos = lower.find(first); pos != std::string::npos;
       pos = lower.find(first, pos + 1)) {
    size_t i = pos + first.size();
    const size_t spaces_from = i;
    while (i < lower.size() && std::isspace(static_cast<unsigned char>(lower[i]))) ++i;
    if (space_required && i == spaces_from) continue;
    if (lower.compare(i, second.size(), second) == 0) return true;
  }
  return false;
}

}  // namespace

bool MayHoldCredential(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::string_view word : {"password", "passwd", "secret"}) {
    if (lower.find(word) != std::string::npos) return true;
  }
  return HasWord(lower, "connection") || HasWord(lower, "program") ||
         HasPair(lower, "user", "mapping", /*space_required=*/true) ||
         HasPair(lower, "options", "(", /*space_required=*/false);
}

std::string WithholdCredentials(std::string_view text) {
  return MayHoldCredential(text) ? std::string(kWithheldText) : std::string(text);
}

}  // namespace pgvigil::collect
