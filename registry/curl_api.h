// libcurl, opened with dlopen at the first registry request. Linked normally, libcurl.so.4 and
// the ~30 libraries it needs (TLS, HTTP/2, IDN, LDAP, Kerberos, SSH, ...) were mapped and
// relocated at every start of okdlint — most of a one-file lint — although only docker:// inputs,
// --resolve-bases and `rewrite --push` talk to a registry. Each entry is typed by the installed
// header's own declaration (decltype), so calls match whatever libcurl release the build sees
// (curl 8 changed some signatures); nothing of libcurl is redeclared here.
#pragma once

#include <curl/curl.h>

namespace okd::registry {

struct CurlApi {
  decltype(&::curl_global_init) global_init;
  decltype(&::curl_free) free;
  decltype(&::curl_slist_append) slist_append;
  decltype(&::curl_slist_free_all) slist_free_all;
  decltype(&::curl_easy_init) easy_init;
  decltype(&::curl_easy_cleanup) easy_cleanup;
  decltype(&::curl_easy_setopt) easy_setopt;
  decltype(&::curl_easy_pause) easy_pause;
  decltype(&::curl_easy_strerror) easy_strerror;
  decltype(&::curl_multi_init) multi_init;
  decltype(&::curl_multi_cleanup) multi_cleanup;
  decltype(&::curl_multi_add_handle) multi_add_handle;
  decltype(&::curl_multi_remove_handle) multi_remove_handle;
  decltype(&::curl_multi_perform) multi_perform;
  decltype(&::curl_multi_poll) multi_poll;
  decltype(&::curl_multi_info_read) multi_info_read;
  decltype(&::curl_multi_strerror) multi_strerror;
  decltype(&::curl_share_init) share_init;
  decltype(&::curl_share_cleanup) share_cleanup;
  decltype(&::curl_share_setopt) share_setopt;
  decltype(&::curl_url) url;
  decltype(&::curl_url_cleanup) url_cleanup;
  decltype(&::curl_url_set) url_set;
  decltype(&::curl_url_get) url_get;
};

// Opens libcurl.so.4 and resolves every entry once (thread-safe), and calls curl_global_init;
// throws RegistryError naming what is missing when the library or a function cannot be found.
const CurlApi& curl_api();

}  // namespace okd::registry
