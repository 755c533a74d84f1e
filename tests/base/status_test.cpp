// base::Status and base::Result: the error values at the module boundaries (status.hpp).
#include "imsim/base/status.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace imsim::base {
namespace {

TEST(Status, DefaultIsOkWithoutMessage) {
  const Status status;
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::ok);
  EXPECT_EQ(status.message(), "");
}

TEST(Status, EachErrorKeepsItsCodeAndMessageAsIs) {
  const Status invalid = Status::invalid_input("x.json: seed: expected an integer");
  EXPECT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.code(), StatusCode::invalid_input);
  // No code prefix: the CLI prints the message byte for byte.
  EXPECT_EQ(invalid.message(), "x.json: seed: expected an integer");
  EXPECT_EQ(Status::io_error("a: cannot open").code(), StatusCode::io_error);
  EXPECT_EQ(Status::limit_exceeded("too big").code(), StatusCode::limit_exceeded);
  EXPECT_EQ(Status::not_found("nope").code(), StatusCode::not_found);
  EXPECT_EQ(status_code_name(StatusCode::limit_exceeded), "limit_exceeded");
}

TEST(Status, PrefixedNamesTheOriginAndKeepsTheCode) {
  const Status status = Status::io_error("cannot read").prefixed("x.json");
  EXPECT_EQ(status.code(), StatusCode::io_error);
  EXPECT_EQ(status.message(), "x.json: cannot read");
}

TEST(Status, EqualityComparesCodeAndMessage) {
  EXPECT_EQ(Status(), Status());
  EXPECT_EQ(Status::invalid_input("a"), Status::invalid_input("a"));
  EXPECT_NE(Status::invalid_input("a"), Status::io_error("a"));
  EXPECT_NE(Status::invalid_input("a"), Status::invalid_input("b"));
}

TEST(Result, HoldsAValue) {
  Result<std::string> result(std::string("value"));
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result.status().ok());
  EXPECT_EQ(result.value(), "value");
  result.value() += "!";
  EXPECT_EQ(std::move(result).value(), "value!");
}

TEST(Result, HoldsAnError) {
  const Result<int> result = Status::not_found("u9: no such user");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::not_found);
  EXPECT_EQ(result.status().message(), "u9: no such user");
}

TEST(Result, MovesMoveOnlyValuesOut) {
  Result<std::unique_ptr<int>> result(std::make_unique<int>(7));
  ASSERT_TRUE(result.ok());
  const std::unique_ptr<int> value = std::move(result).value();
  EXPECT_EQ(*value, 7);
}

// Reading the value of an error is the caller's bug: an assertion naming the error, not a
// default-constructed value.
TEST(ResultDeathTest, TheValueOfAnErrorCannotBeRead) {
  const Result<int> result = Status::invalid_input("line 3: unknown event type");
  EXPECT_DEATH((void)result.value(), "value\\(\\) of an error Result: line 3: unknown event type");
  Result<std::string> moved = Status::io_error("cannot open");
  EXPECT_DEATH((void)std::move(moved).value(), "IMSIM_ASSERT failed");
}

TEST(ResultDeathTest, AnOkStatusIsNotAnError) {
  EXPECT_DEATH((void)Result<int>(Status()), "a Result built from an ok Status has no value");
  EXPECT_DEATH((void)Status().prefixed("x.json"), "prefixing an ok Status");
}

}  // namespace
}  // namespace imsim::base
