#include "registry/curl_api.h"

#include <dlfcn.h>

#include <string>

#include "registry/client.h"

namespace okd::registry {
namespace {

template <typename Pointer>
void resolve(void* library, Pointer& entry, const char* name) {
  void* address = dlsym(library, name);
  if (!address) throw RegistryError(std::string("the installed libcurl lacks ") + name);
  entry = reinterpret_cast<Pointer>(address);
}

CurlApi load() {
  void* library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    const char* why = dlerror();
    throw RegistryError(std::string("registry access needs libcurl, which could not be loaded (") +
                        (why ? why : "unknown error") + "); install libcurl4");
  }
  CurlApi api{};
  resolve(library, api.global_init, "curl_global_init");
  resolve(library, api.free, "curl_free");
  resolve(library, api.slist_append, "curl_slist_append");
  resolve(library, api.slist_free_all, "curl_slist_free_all");
  resolve(library, api.easy_init, "curl_easy_init");
  resolve(library, api.easy_cleanup, "curl_easy_cleanup");
  resolve(library, api.easy_setopt, "curl_easy_setopt");
  resolve(library, api.easy_pause, "curl_easy_pause");
  resolve(library, api.easy_strerror, "curl_easy_strerror");
  resolve(library, api.multi_init, "curl_multi_init");
  resolve(library, api.multi_cleanup, "curl_multi_cleanup");
  resolve(library, api.multi_add_handle, "curl_multi_add_handle");
  resolve(library, api.multi_remove_handle, "curl_multi_remove_handle");
  resolve(library, api.multi_perform, "curl_multi_perform");
  resolve(library, api.multi_poll, "curl_multi_poll");
  resolve(library, api.multi_info_read, "curl_multi_info_read");
  resolve(library, api.multi_strerror, "curl_multi_strerror");
  resolve(library, api.share_init, "curl_share_init");
  resolve(library, api.share_cleanup, "curl_share_cleanup");
  resolve(library, api.share_setopt, "curl_share_setopt");
  resolve(library, api.url, "curl_url");
  resolve(library, api.url_cleanup, "curl_url_cleanup");
  resolve(library, api.url_set, "curl_url_set");
  resolve(library, api.url_get, "curl_url_get");
  api.global_init(CURL_GLOBAL_DEFAULT);
  return api;
}

}  // namespace

const CurlApi& curl_api() {
  // A failed load throws out of the initialiser, so the next call tries again (and reports again).
  static const CurlApi api = load();
  return api;
}

}  // namespace okd::registry
