// SPDX-License-Identifier: Apache-2.0
#include "alerts/notifiers/hmac.h"

#include <string>

#include <gtest/gtest.h>

namespace pgvigil::alerts {
namespace {

// RFC 4231 §4, HMAC-SHA-256 results.
TEST(HmacSha256Hex, MatchesRfc4231TestCase1) {
  EXPECT_EQ(HmacSha256Hex(std::string(20, '\x0b'), "Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST(HmacSha256Hex, MatchesRfc4231TestCase2) {
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HmacSha256Hex, MatchesRfc4231TestCase6WithAKeyLongerThanTheBlock) {
  EXPECT_EQ(HmacSha256Hex(std::string(131, '\xaa'),
                          "Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

}  // namespace
}  // namespace pgvigil::alerts
