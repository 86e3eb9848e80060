"""The topology model: Synaptic-style building, validation messages, edits and events."""

import pytest

from nnstudio.core import Connection, Graph, Layer, Network, TopologyError
from nnstudio.core.graph import KINDS, kind_label
from nnstudio.core.layout import layered_positions


def xor_layers():
    i, h, o = Layer(2), Layer(3), Layer(1)
    i.project(h)
    h.project(o)
    return i, h, o


def test_synaptic_style_network() -> None:
    i, h, o = xor_layers()
    net = Network(input=i, hidden=[h], output=o, seed=5)
    assert [layer.size for layer in net.layers] == [2, 3, 1]
    assert net.weights["L1->L2"].shape == (2, 3)
    assert net.n_params == 2 * 3 + 3 * 1 + 3 + 1
    out = net.activate([0, 1])
    assert out.shape == (1,) and 0 < out[0] < 1


def test_seed_fixes_initial_weights_and_reset_reproduces_them() -> None:
    a = Network(*_args(), seed=11)
    b = Network(*_args(), seed=11)
    c = Network(*_args(), seed=12)
    assert (a.params == b.params).all()
    assert not (a.params == c.params).all()
    start = a.get_params()
    a.params += 1.0
    a.reset()
    assert (a.params == start).all()


def _args():
    i, h, o = xor_layers()
    return i, [h], o


def graph_of(*sizes_roles, edges=()):
    g = Graph()
    for k, (size, role) in enumerate(sizes_roles):
        g.add_layer(Layer(size, name=f"N{k}", role=role, id=f"n{k}"))
    for s, t in edges:
        g.connections[f"n{s}->n{t}"] = __import__("nnstudio.core.graph", fromlist=["Connection"]).Connection(
            f"n{s}", f"n{t}"
        )
    return g


def test_validation_messages_name_the_layers() -> None:
    g = graph_of((2, "input"), (3, "hidden"), (1, "output"), edges=[(0, 1)])
    problems = g.problems()
    assert "N2 has no incoming connection" in problems
    assert "N1 has no outgoing connection" in problems
    assert "no input layer" in graph_of((1, "hidden")).problems()
    assert "no output layer" in graph_of((1, "input")).problems()
    with pytest.raises(TopologyError, match="N2 has no incoming connection"):
        Network.from_graph(g)


def test_cycle_is_named() -> None:
    g = graph_of((2, "input"), (3, "hidden"), (3, "hidden"), (1, "output"), edges=[(0, 1), (1, 2), (2, 1), (2, 3)])
    assert any(p.startswith("cycle: ") and "N1" in p and "N2" in p for p in g.problems())


@pytest.mark.parametrize(
    "edge, kind, reason",
    [
        ((1, 1), "all_to_all", "cannot connect to itself"),
        ((1, 0), "all_to_all", "input layer"),
        ((2, 1), "all_to_all", "output layer"),
        ((0, 1), "all_to_all", "already connected"),
        ((1, 3), "all_to_all", "cycle"),
        ((0, 3), "one_to_one", "equal sizes"),
    ],
)
def test_connect_problem_reasons(edge, kind, reason) -> None:
    g = Graph()
    for k, (size, role) in enumerate([(2, "input"), (3, "hidden"), (1, "output"), (4, "hidden")]):
        g.add_layer(Layer(size, name=f"N{k}", role=role, id=f"n{k}"))
    g.connect("n0", "n1")
    g.connect("n3", "n1")
    problem = g.connect_problem(f"n{edge[0]}", f"n{edge[1]}", kind)
    assert problem and reason in problem
    with pytest.raises(TopologyError):
        g.connect(f"n{edge[0]}", f"n{edge[1]}", kind)


def test_project_refuses_impossible_kinds() -> None:
    with pytest.raises(TopologyError, match="equal sizes"):
        Layer(2).project(Layer(3), "one_to_one")
    with pytest.raises(ValueError, match="unknown connection kind"):
        Layer(2).project(Layer(2), "diagonal")
    assert Layer(2).project(Layer(2), "ONE_TO_ONE").kind == "one_to_one"  # Synaptic's spelling


def test_bad_layer_arguments() -> None:
    with pytest.raises(ValueError, match="unknown activation 'sigmod'"):
        Layer(2, "sigmod")
    with pytest.raises(ValueError, match="layer size"):
        Layer(0)
    with pytest.raises(ValueError, match="layer size"):
        Layer(2.5)


def test_remove_layer_takes_its_connections_and_events_fire() -> None:
    g = Graph()
    events = []
    g.subscribe(lambda e, info: events.append(e))
    for k, role in enumerate(["input", "hidden", "output"]):
        g.add_layer(Layer(2, role=role, id=f"n{k}"))
    g.connect("n0", "n1")
    g.connect("n1", "n2")
    layer, removed = g.remove_layer("n1")
    assert {c.id for c in removed} == {"n0->n1", "n1->n2"}
    assert not g.connections
    assert events.count("connection_removed") == 2 and events[-1] == "layer_removed"


def test_resizing_a_one_to_one_layer_is_refused() -> None:
    g = Graph()
    g.add_layer(Layer(2, role="input", id="a"))
    g.add_layer(Layer(2, id="b"))
    g.connect("a", "b", "one_to_one")
    with pytest.raises(TopologyError, match="a one to one connection"):
        g.set_layer("b", size=3)
    assert g.layers["b"].size == 2


def test_topological_order_and_depths_with_skip() -> None:
    g = graph_of((2, "input"), (3, "hidden"), (1, "output"), edges=[(0, 1), (1, 2), (0, 2)])
    assert g.topological_order() == ["n0", "n1", "n2"]
    assert g.depths() == {"n0": 0, "n1": 1, "n2": 2}


def test_dict_round_trip() -> None:
    g = graph_of((2, "input"), (3, "hidden"), (1, "output"), edges=[(0, 1), (1, 2), (0, 2)])
    g.layers["n1"].position = (12.5, -3.0)
    again = Graph.from_dict(g.to_dict())
    assert again.to_dict() == g.to_dict()


def test_duplicate_names_and_single_softmax_are_problems() -> None:
    g = graph_of((2, "input"), (3, "hidden"), (1, "output"), edges=[(0, 1), (1, 2)])
    g.layers["n1"].name = "N2"
    g.layers["n2"].activation = "softmax"
    problems = g.problems()
    assert "2 layers are called 'N2': give each layer its own name" in problems
    assert "N2 applies softmax to a single neuron: its output is always 1" in problems


def test_layers_and_connections_can_be_put_back_at_their_index() -> None:
    graph = Graph()
    for name in ("a", "b", "c"):
        graph.add_layer(Layer(1, name=name, id=name))
    graph.add_layer(Layer(1, name="d", id="d"), index=1)
    graph.add_layer(Layer(1, name="e", id="e"), index=0)
    graph.add_layer(Layer(1, name="f", id="f"), index=99)
    assert list(graph.layers) == ["e", "a", "d", "b", "c", "f"]
    graph.connect("a", "b")
    graph.connect("a", "c")
    graph.add_connection(Connection("d", "c"), index=1)
    assert list(graph.connections) == ["a->b", "d->c", "a->c"]


def test_auto_layout_places_layers_by_depth_in_centred_columns() -> None:
    i, h, o = xor_layers()
    graph = Graph.from_layers(i, [h], o)
    positions = layered_positions(graph, {h.id: 200.0}, spacing=100.0, gap=10.0)
    assert positions == {i.id: (0.0, -50), h.id: (100.0, -100), o.id: (200.0, -50)}
    looped = Graph()
    looped.add_layer(Layer(1, id="x"))
    looped.add_layer(Layer(1, id="y"))
    looped.connections["x->y"] = Connection("x", "y")  # a cycle the editor would refuse, built by hand
    looped.connections["y->x"] = Connection("y", "x")
    with pytest.raises(TopologyError):
        layered_positions(looped, {})


def test_people_read_connection_kinds_and_layer_names_not_internal_ids() -> None:
    g = Graph()
    g.add_layer(Layer(2, role="input", id="L10", name="Pixels"))
    g.add_layer(Layer(3, id="L11", name="Features"))
    conn = g.connect("L10", "L11")
    assert g.connection_name(conn.id) == "Pixels → Features"
    assert g.synapse_name(conn.id, 1, 2) == "Pixels 2 → Features 3"
    assert [kind_label(k) for k in KINDS] == ["All to all", "One to one", "All to others"]
    problem = g.connect_problem("L10", "L11", "all_to_else")
    assert problem.startswith("an all to others connection needs equal sizes")
    assert "all_to_else" not in problem and "L10" not in problem and "Pixels" in problem
