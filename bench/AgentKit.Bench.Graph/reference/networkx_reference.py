#!/usr/bin/env python3
"""networkx reference for AgentKit.Bench.Graph --mode communities (issue #20).

Reads every *.edges file in FOLDER (first line "# nodes N", then "a b weight" per line, parallel edges summed),
runs networkx's louvain_communities with seeds 0..SEEDS-1 and prints one JSON object per graph:
{"graph", "nodes", "edges", "modularity": [per seed], "communities": [per seed], "seconds": [per seed]}.
Needs python3-networkx (Debian: apt-get install -y python3-networkx). Run outside the test suite.
"""
import json
import pathlib
import sys
import time

import networkx as nx


def read(path):
    with open(path, encoding="ascii") as lines:
        header = lines.readline().split()
        if header[:2] != ["#", "nodes"]:
            raise SystemExit(f"{path}: first line must be '# nodes N'")
        graph = nx.Graph()
        graph.add_nodes_from(range(int(header[2])))
        for number, line in enumerate(lines, start=2):
            a, b, w = line.split()
            a, b, w = int(a), int(b), float(w)
            if graph.has_edge(a, b):
                graph[a][b]["weight"] += w
            else:
                graph.add_edge(a, b, weight=w)
    return graph


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: networkx_reference.py FOLDER SEEDS")
    folder, seeds = pathlib.Path(sys.argv[1]), int(sys.argv[2])
    for path in sorted(folder.glob("*.edges")):
        graph = read(path)
        result = {"graph": path.stem, "nodes": graph.number_of_nodes(), "edges": graph.number_of_edges(),
                  "modularity": [], "communities": [], "seconds": []}
        for seed in range(seeds):
            start = time.perf_counter()
            communities = nx.community.louvain_communities(graph, weight="weight", resolution=1, seed=seed)
            result["seconds"].append(time.perf_counter() - start)
            result["modularity"].append(nx.community.modularity(graph, communities, weight="weight"))
            result["communities"].append(len(communities))
        print(json.dumps(result), flush=True)
    print(json.dumps({"networkx": nx.__version__}), flush=True)


if __name__ == "__main__":
    main()
