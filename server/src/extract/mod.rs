//! What handlers take from a request, each parsed once: the caller's key,
//! the client's address, and JSON bodies, paths and queries whose
//! refusals are problem+json.

mod api_key;
mod client_address;

pub use api_key::{API_KEY_HEADER, Authenticated, presented_key};
pub use client_address::{ClientAddress, ClientIpHeader};

use axum::Json;
use axum::extract::{FromRequest, FromRequestParts, Path, Query};

use crate::error::ApiError;

/// A JSON body whose refusals are problem+json (400, 413, 415, 422).
#[derive(FromRequest)]
#[from_request(via(Json), rejection(ApiError))]
pub struct Body<T>(pub T);

/// A path parameter whose refusals are problem+json (400).
#[derive(FromRequestParts)]
#[from_request(via(Path), rejection(ApiError))]
pub struct PathParam<T>(pub T);

/// A query string whose refusals are problem+json (400).
#[derive(FromRequestParts)]
#[from_request(via(Query), rejection(ApiError))]
pub struct QueryParams<T>(pub T);
