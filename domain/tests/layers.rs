//! The domain's layers import one way only, no two modules import each
//! other in a circle (the rule in `src/lib.rs`), and only the store builds
//! statements. Read from the sources, so a new import or query that breaks
//! the rule fails here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each layer may import its own and lower ranks only.
fn rank(layer: &str) -> usize {
    match layer {
        "model" => 0,
        "error" | "clock" | "caller" => 1,
        "credentials" => 2,
        "store" => 3,
        // The machinery use cases share (changes, the cache, the hot path's
        // memory): it must not reach up into a use case.
        "infra" => 4,
        "service" => 5,
        "testing" => 6,
        "lib" => 7,
        other => panic!("{other} is in no layer: add it to the rule in src/lib.rs and here"),
    }
}

/// Module path (e.g. `service/keys`, `store` for `store/mod.rs`) to source.
fn modules() -> BTreeMap<String, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found: BTreeMap<String, String> = BTreeMap::new();
    let mut pending = vec![root.clone()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path: PathBuf = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                let relative = path.strip_prefix(&root).unwrap().with_extension("");
                let name = relative.to_string_lossy().trim_end_matches("/mod").to_owned();
                // The entities are one module: sea-orm relations name each other both ways.
                let name = if name.starts_with("store/entity/") { "store/entity".to_owned() } else { name };
                found.entry(name).or_default().push_str(&std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    found
}

/// The modules a source refers to by `crate::a::b` or `super::a` paths, and,
/// in a `mod.rs`, by `use child::` paths.
fn imports(module: &str, source: &str, known: &BTreeMap<String, String>) -> BTreeSet<String> {
    let is_mod_rs = known.keys().any(|other| other.starts_with(&format!("{module}/")));
    let parent = module.rsplit_once('/').map_or("", |(parent, _)| parent);
    let own_dir = if is_mod_rs { module } else { parent };
    let resolve = |base: &str, path: &[&str]| -> Option<String> {
        let mut best = None;
        let mut candidate = base.to_owned();
        for segment in path {
            candidate = if candidate.is_empty() { (*segment).to_owned() } else { format!("{candidate}/{segment}") };
            if known.contains_key(&candidate) {
                best = Some(candidate.clone());
            }
        }
        best
    };
    let mut found = BTreeSet::new();
    let code = source.split("#[cfg(test)]").next().unwrap_or_default();
    for (marker, base) in [("crate::", ""), ("super::", if is_mod_rs { parent } else { own_dir })] {
        for (index, _) in code.match_indices(marker) {
            let rest = &code[index + marker.len()..];
            let path: Vec<&str> = rest
                .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .next()
                .unwrap_or_default()
                .split("::")
                .collect();
            if let Some(target) = resolve(base, &path) {
                found.insert(target);
            } else if base.is_empty() && path.first().is_some_and(|first| *first == "lib") {
                found.insert("lib".to_owned());
            }
        }
    }
    if is_mod_rs {
        for line in code.lines().map(str::trim).filter(|line| line.starts_with("use ")) {
            let path: Vec<&str> = line.trim_start_matches("use ").split("::").collect();
            if let Some(target) = resolve(module, &path[..1]) {
                found.insert(target);
            }
        }
    }
    found.remove(module);
    found
}

fn layer(module: &str) -> &str {
    module.split('/').next().unwrap()
}

#[test]
fn layers_import_downwards_only() {
    let known = modules();
    let mut violations = Vec::new();
    for (module, source) in &known {
        for target in imports(module, source, &known) {
            if rank(layer(&target)) > rank(layer(module)) {
                violations.push(format!("{module} imports {target}"));
            }
        }
    }
    assert!(violations.is_empty(), "imports against the layers: {violations:#?}");
}

/// Statements are built in `store/` alone, by aggregate, each a function
/// named for what it does; `infra` and the use cases call those (and may
/// save a row they built or changed), so no query hides inside a use case.
#[test]
fn only_the_store_builds_statements() {
    // Every sea-orm query starts from `EntityTrait` (or raw SQL in a `Statement`).
    let builders = ["EntityTrait", "Entity::", "QueryFilter", "Statement::"];
    let mut violations = Vec::new();
    for (module, source) in modules() {
        let code = source.split("#[cfg(test)]").next().unwrap_or_default();
        if layer(&module) == "store" {
            continue;
        }
        for builder in builders.iter().filter(|builder| code.contains(*builder)) {
            violations.push(format!("{module} builds a statement ({builder}); give it a function in store/"));
        }
    }
    assert!(violations.is_empty(), "statements outside the store: {violations:#?}");
}

#[test]
fn no_module_imports_itself_through_others() {
    let known = modules();
    let graph: BTreeMap<&str, BTreeSet<String>> =
        known.iter().map(|(module, source)| (module.as_str(), imports(module, source, &known))).collect();
    // Depth-first search; a module met again while still on the path closes a cycle.
    fn visit<'a>(
        module: &'a str,
        graph: &'a BTreeMap<&str, BTreeSet<String>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) {
        if done.contains(module) {
            return;
        }
        if let Some(start) = path.iter().position(|on_path| *on_path == module) {
            panic!("import cycle: {} -> {module}", path[start..].join(" -> "));
        }
        path.push(module);
        for target in &graph[module] {
            visit(target, graph, path, done);
        }
        path.pop();
        done.insert(module);
    }
    let mut done = BTreeSet::new();
    for module in graph.keys() {
        visit(module, &graph, &mut Vec::new(), &mut done);
    }
    assert!(graph.len() > 20, "found only {} modules: is the source walk broken?", graph.len());
    for (module, target) in
        [("service/keys", "store"), ("service/keys", "infra/change"), ("infra/change", "infra/coherence")]
    {
        assert!(graph[module].contains(target), "the import scan is broken: {module}: {:?}", graph[module]);
    }
}
