// Native objects handed to JS as type-tagged Externals: the tag lets native code check that a handle
// coming back from JS really is its own kind of object before touching it.
#pragma once
#include <napi.h>

#include <memory>

namespace verinfer::bindings {

template <class T>
Napi::External<std::shared_ptr<T>> wrap_handle(Napi::Env env, std::shared_ptr<T> object, const napi_type_tag& tag) {
  auto* holder = new std::shared_ptr<T>(std::move(object));
  auto ext = Napi::External<std::shared_ptr<T>>::New(env, holder, [](Napi::Env, std::shared_ptr<T>* h) { delete h; });
  napi_type_tag_object(env, ext, &tag);
  return ext;
}

// The object behind `v` if it is an External with this tag, else null.
template <class T>
std::shared_ptr<T> unwrap_handle(Napi::Env env, Napi::Value v, const napi_type_tag& tag) {
  bool ok = false;
  if (v.Type() == napi_external) napi_check_object_type_tag(env, v, &tag, &ok);
  return ok ? *v.As<Napi::External<std::shared_ptr<T>>>().Data() : nullptr;
}

}  // namespace verinfer::bindings
