// SPDX-License-Identifier: Apache-2.0
#include "pg/dsn.h"

#include <arpa/inet.h>
#include <libpq-fe.h>

#include <cctype>
#include <memory>

namespace pgvigil::pg {
namespace {

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

bool IsUri(std::string_view text) {
  return StartsWithNoCase(text, "postgresql://") || StartsWithNoCase(text, "postgres://");
}

// Replaces the password in a URI's userinfo and its query string.
std::string RedactUri(std::string_view uri) {
  std::string out(uri);
  const size_t scheme_end = out.find("://");
  const size_t authority_start = scheme_end + 3;
  size_t authority_end = out.find_first_of("/?#", authority_start);
  if (authority_end == std::string::npos) authority_end = out.size();
  // The userinfo ends at the last '@' of the authority (a password may itself contain '@'
  // when the user forgot to percent-encode it).
  const size_t at = out.rfind('@', authority_end);
  if (at != std::string::npos && at >= authority_start) {
    const size_t colon = out.find(':', authority_start);
    if (colon != std::string::npos && colon < at) {
      out.replace(colon + 1, at - colon - 1, "***");
      authority_end = out.find_first_of("/?#", authority_start);
      if (authority_end == std::string::npos) authority_end = out.size();
    }
  }
  const size_t query = out.find('?', authority_end);
  if (query == std::string::npos) return out;
  size_t pos = query + 1;
  while (pos < out.size()) {
    size_t end = out.find('&', pos);
    if (end == std::string::npos) end = out.size();
    if (StartsWithNoCase(std::string_view(out).substr(pos, end - pos), "password=")) {
      const size_t value = pos + 9;
      out.replace(value, end - value, "***");
      end = value + 3;
    }
    pos = end + 1;
  }
  return out;
}

// Replaces every "password = value" of key=value text; value may be single-quoted with
// backslash escapes, as libpq allows.
std::string RedactKeyValue(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const bool at_word_start = i == 0 || std::isspace(static_cast<unsigned char>(text[i - 1])) ||
                               text[i - 1] == '&' || text[i - 1] == '?' || text[i - 1] == '"' ||
                               text[i - 1] == '\'';
    if (at_word_start && StartsWithNoCase(text.substr(i), "password")) {
      size_t j = i + 8;
      while (j < text.size() && std::isspace(static_cast<unsigned char>(text[j]))) ++j;
      if (j < text.size() && text[j] == '=') {
        ++j;
        while (j < text.size() && std::isspace(static_cast<unsigned char>(text[j]))) ++j;
        out.append("password=***");
        if (j < text.size() && text[j] == '\'') {
          ++j;
          while (j < text.size() && text[j] != '\'') {
            if (text[j] == '\\' && j + 1 < text.size()) ++j;
            ++j;
          }
          if (j < text.size()) ++j;  // the closing quote
        } else {
          while (j < text.size() && !std::isspace(static_cast<unsigned char>(text[j])) &&
                 text[j] != '&') {
            ++j;
          }
        }
        i = j;
        continue;
      }
    }
    out.push_back(text[i]);
    ++i;
  }
  return out;
}

}  // namespace

common::Result<std::map<std::string, std::string>> ParseDsn(std::string_view dsn) {
  char* error = nullptr;
  const std::string text(dsn);
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(
      PQconninfoParse(text.c_str(), &error), &PQconninfoFree);
  if (options == nullptr) {
    std::string reason = error != nullptr ? error : "out of memory";
    if (error != nullptr) PQfreemem(error);
    while (!reason.empty() && std::isspace(static_cast<unsigned char>(reason.back()))) {
      reason.pop_back();
    }
    return common::InvalidArgumentError("invalid connection string: " + RedactDsn(reason));
  }
  std::map<std::string, std::string> out;
  for (const PQconninfoOption* o = options.get(); o->keyword != nullptr; ++o) {
    if (o->val != nullptr) out[o->keyword] = o->val;
  }
  return out;
}

std::string RedactDsn(std::string_view text) {
  // A URI may sit inside a longer text (an error message): redact each one found.
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t start = std::string_view::npos;
    for (size_t i = pos; i < text.size(); ++i) {
      if (IsUri(text.substr(i))) {
        start = i;
        break;
      }
    }
    if (start == std::string_view::npos) {
      out += RedactKeyValue(text.substr(pos));
      break;
    }
    out += RedactKeyValue(text.substr(pos, start - pos));
    size_t end = start;
    while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end])) &&
           text[end] != '"' && text[end] != '\'') {
      ++end;
    }
    out += RedactUri(text.substr(start, end - start));
    pos = end;
  }
  return out;
}

std::string RedactSecrets(std::string_view text, const std::vector<std::string>& secrets) {
  std::string out(text);
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    size_t pos = 0;
    while ((pos = out.find(secret, pos)) != std::string::npos) {
      out.replace(pos, secret.size(), "***");
      pos += 3;
    }
  }
  return out;
}

std::string DescribeDsn(std::string_view dsn) {
  auto parsed = ParseDsn(dsn);
  if (!parsed.has_value()) return "(invalid connection string)";
  const auto& kv = *parsed;
  auto get = [&](const char* key) -> std::string {
    auto it = kv.find(key);
    return it == kv.end() ? std::string() : it->second;
  };
  std::string out;
  if (const std::string user = get("user"); !user.empty()) out += user + "@";
  std::string host = get("host");
  if (host.empty()) host = get("hostaddr");
  out += host.empty() ? "localhost" : host;
  if (const std::string port = get("port"); !port.empty()) out += ":" + port;
  if (const std::string db = get("dbname"); !db.empty()) out += "/" + db;
  return out;
}

std::string HostNameToResolve(const std::map<std::string, std::string>& keywords,
                              const char* env_host, const char* env_hostaddr) {
  auto get = [&](const char* key, const char* env) -> std::string {
    auto it = keywords.find(key);
    if (it != keywords.end() && !it->second.empty()) return it->second;
    return env != nullptr ? std::string(env) : std::string();
  };
  if (!get("hostaddr", env_hostaddr).empty()) return "";
  const std::string host = get("host", env_host);
  if (host.empty() || host.front() == '/' || host.front() == '@') return "";
  if (host.find(',') != std::string::npos) return "";
  unsigned char address[sizeof(in6_addr)];
  if (inet_pton(AF_INET, host.c_str(), address) == 1 ||
      inet_pton(AF_INET6, host.c_str(), address) == 1) {
    return "";
  }
  return host;
}

common::Result<std::string> DsnForDatabase(const std::string& dsn, const std::string& datname) {
  PGV_ASSIGN_OR_RETURN(auto keywords, ParseDsn(dsn));
  keywords["dbname"] = datname;
  std::string out;
  for (const auto& [key, value] : keywords) {
    if (!out.empty()) out += ' ';
    // libpq's key=value syntax: single quotes, with backslash escaping ' and \.
    out += key + "='";
    for (char c : value) {
      if (c == '\'' || c == '\\') out += '\\';
      out += c;
    }
    out += '\'';
  }
  return out;
}

}  // namespace pgvigil::pg
