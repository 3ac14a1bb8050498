// libcurl, loaded on first use. Linked normally, libcurl.so.4 and the ~30 libraries it needs
// (TLS, HTTP/2, IDN, LDAP, Kerberos, SSH, ...) were mapped and relocated at every start of
// okdlint, which made the dynamic loader most of a one-file lint, although only docker://
// inputs and `rewrite --push` talk to a registry. This file defines the libcurl functions
// registry/ calls, each forwarding to the same function of libcurl.so.4, opened with dlopen the
// first time any of them runs; the headers (and so the ABI) are libcurl's own. When the library
// cannot be loaded, the call throws RegistryError, which the commands report as for any
// registry failure.
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>
#undef curl_easy_setopt
#undef curl_share_setopt

#include <dlfcn.h>

#include <cstdarg>
#include <string>

#include "registry/client.h"

namespace {

void* libcurl() {
  static std::string failure;
  static void* const handle = [] {
    void* opened = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!opened) {
      const char* why = dlerror();
      failure = why ? why : "unknown error";
    }
    return opened;
  }();
  if (!handle) {
    throw okd::registry::RegistryError("registry access needs libcurl, which could not be loaded (" + failure +
                             "); install libcurl4");
  }
  return handle;
}

template <typename Function>
Function* resolve(const char* name) {
  void* address = dlsym(libcurl(), name);
  if (!address) throw okd::registry::RegistryError(std::string("the installed libcurl lacks ") + name);
  return reinterpret_cast<Function*>(address);
}

}  // namespace

// Each forwarder resolves its target once (a thread-safe static).
#define OKD_CURL_FORWARD(Return, name, Parameters, Arguments)         \
  extern "C" Return name Parameters {                                 \
    static auto* const target = resolve<Return Parameters>(#name);    \
    return target Arguments;                                          \
  }

OKD_CURL_FORWARD(CURLcode, curl_global_init, (long flags), (flags))
OKD_CURL_FORWARD(CURL*, curl_easy_init, (void), ())
OKD_CURL_FORWARD(void, curl_easy_cleanup, (CURL * handle), (handle))
OKD_CURL_FORWARD(CURLcode, curl_easy_pause, (CURL * handle, int bitmask), (handle, bitmask))
OKD_CURL_FORWARD(const char*, curl_easy_strerror, (CURLcode code), (code))
OKD_CURL_FORWARD(void, curl_free, (void* p), (p))
OKD_CURL_FORWARD(CURLM*, curl_multi_init, (void), ())
OKD_CURL_FORWARD(CURLMcode, curl_multi_add_handle, (CURLM * multi, CURL* easy), (multi, easy))
OKD_CURL_FORWARD(CURLMcode, curl_multi_remove_handle, (CURLM * multi, CURL* easy), (multi, easy))
OKD_CURL_FORWARD(CURLMcode, curl_multi_cleanup, (CURLM * multi), (multi))
OKD_CURL_FORWARD(CURLMsg*, curl_multi_info_read, (CURLM * multi, int* queued), (multi, queued))
OKD_CURL_FORWARD(CURLMcode, curl_multi_perform, (CURLM * multi, int* running), (multi, running))
OKD_CURL_FORWARD(CURLMcode, curl_multi_poll,
                 (CURLM * multi, struct curl_waitfd extra_fds[], unsigned int extra_nfds, int timeout_ms, int* ret),
                 (multi, extra_fds, extra_nfds, timeout_ms, ret))
OKD_CURL_FORWARD(const char*, curl_multi_strerror, (CURLMcode code), (code))
OKD_CURL_FORWARD(CURLSH*, curl_share_init, (void), ())
OKD_CURL_FORWARD(CURLSHcode, curl_share_cleanup, (CURLSH * share), (share))
OKD_CURL_FORWARD(struct curl_slist*, curl_slist_append, (struct curl_slist * list, const char* text), (list, text))
OKD_CURL_FORWARD(void, curl_slist_free_all, (struct curl_slist * list), (list))
OKD_CURL_FORWARD(CURLU*, curl_url, (void), ())
OKD_CURL_FORWARD(void, curl_url_cleanup, (CURLU * url), (url))
OKD_CURL_FORWARD(CURLUcode, curl_url_get, (CURLU * url, CURLUPart what, char** part, unsigned int flags),
                 (url, what, part, flags))
OKD_CURL_FORWARD(CURLUcode, curl_url_set, (CURLU * url, CURLUPart what, const char* part, unsigned int flags),
                 (url, what, part, flags))

// The variadic setters read their one argument with the type the option's number range names,
// as libcurl itself does (CURLOPTTYPE_*: long, pointer, function pointer, curl_off_t, blob).
extern "C" CURLcode curl_easy_setopt(CURL* handle, CURLoption option, ...) {
  static auto* const target = resolve<CURLcode(CURL*, CURLoption, ...)>("curl_easy_setopt");
  va_list arguments;
  va_start(arguments, option);
  CURLcode result;
  if (option < CURLOPTTYPE_OBJECTPOINT) {
    result = target(handle, option, va_arg(arguments, long));
  } else if (option < CURLOPTTYPE_FUNCTIONPOINT) {
    result = target(handle, option, va_arg(arguments, void*));
  } else if (option < CURLOPTTYPE_OFF_T) {
    using AnyFunction = void (*)();
    result = target(handle, option, va_arg(arguments, AnyFunction));
  } else if (option < CURLOPTTYPE_BLOB) {
    result = target(handle, option, va_arg(arguments, curl_off_t));
  } else {
    result = target(handle, option, va_arg(arguments, void*));
  }
  va_end(arguments);
  return result;
}

extern "C" CURLSHcode curl_share_setopt(CURLSH* share, CURLSHoption option, ...) {
  static auto* const target = resolve<CURLSHcode(CURLSH*, CURLSHoption, ...)>("curl_share_setopt");
  va_list arguments;
  va_start(arguments, option);
  CURLSHcode result;
  switch (option) {
    case CURLSHOPT_SHARE:
    case CURLSHOPT_UNSHARE:
      result = target(share, option, va_arg(arguments, int));
      break;
    case CURLSHOPT_LOCKFUNC:
      result = target(share, option, va_arg(arguments, curl_lock_function));
      break;
    case CURLSHOPT_UNLOCKFUNC:
      result = target(share, option, va_arg(arguments, curl_unlock_function));
      break;
    default:
      result = target(share, option, va_arg(arguments, void*));
      break;
  }
  va_end(arguments);
  return result;
}
