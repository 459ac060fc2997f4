// An argument's name for error messages ("unary: options.out.dtype"), joined into a string only when
// an error is thrown: building names eagerly cost a small call more than its kernel.
#pragma once
#include <string>

namespace verinfer::bindings {

// Refers to its text and parent without owning them, like a string_view: pass it down a call, never
// store it. Literals and std::strings convert implicitly.
class ArgName {
 public:
  ArgName(const char* text) : text_(text) {}                // NOLINT(google-explicit-constructor)
  ArgName(const std::string& text) : text_(text.c_str()) {}  // NOLINT(google-explicit-constructor)

  // This name followed by `suffix` (".dtype", ".out").
  ArgName operator/(const char* suffix) const { return ArgName(this, suffix); }

  std::string str() const { return parent_ ? parent_->str() + text_ : std::string(text_); }

 private:
  ArgName(const ArgName* parent, const char* suffix) : parent_(parent), text_(suffix) {}
  const ArgName* parent_ = nullptr;
  const char* text_;
};

inline std::string operator+(const ArgName& name, const char* s) { return name.str() + s; }
inline std::string operator+(const ArgName& name, const std::string& s) { return name.str() + s; }

}  // namespace verinfer::bindings
