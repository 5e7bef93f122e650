//! The console's wasm entry point: Trunk builds this into `dist/`.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
