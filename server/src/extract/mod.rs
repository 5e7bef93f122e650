//! What handlers take from a request, each parsed once: the caller's key,
//! the client's address, and JSON bodies, paths and queries whose
//! refusals are problem+json.

mod api_key;
mod client_address;

pub use api_key::{API_KEY_HEADER, Authenticated, presented_key, use_details};
pub use client_address::{ClientAddress, ClientIpHeader};

use axum::Json;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A JSON object body whose refusals are problem+json (400, 413, 415,
/// 422). Only an object: serde would otherwise read a struct from an array
/// (`[null, null]`) by position.
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let Json(value) = Json::<serde_json::Value>::from_request(request, state).await?;
        if !value.is_object() {
            return Err(ApiError::InvalidBody("the body must be a JSON object".to_owned()));
        }
        serde_json::from_value(value).map(Body).map_err(|error| ApiError::InvalidBody(error.to_string()))
    }
}

/// A path parameter whose refusals are problem+json (400).
#[derive(FromRequestParts)]
#[from_request(via(Path), rejection(ApiError))]
pub struct PathParam<T>(pub T);

/// A query string whose refusals are problem+json (400).
#[derive(FromRequestParts)]
#[from_request(via(Query), rejection(ApiError))]
pub struct QueryParams<T>(pub T);
